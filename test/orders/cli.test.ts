import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess as run, tempDir } from '../helpers.js';

const FIXTURE = new URL('../../fixtures/orders/campaign.csv', import.meta.url).pathname;

describe('anyopt orders', () => {
  it('writes orders.csv and rtt.csv for the hand-written campaign', async () => {
    const dir = tempDir();
    const r = await run(['orders', '--observations', FIXTURE, '--out', 'orders.csv', '--rtt-out', 'rtt.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'orders.csv'), 'utf8')).toBe(
      '# announce-order: ams,lhr,syd\n' +
        'target,order,status,confidence,order_sensitive\n' +
        'total,ams>lhr>syd,total,1,0\n' +
        'reverse,syd>lhr>ams,total,1,0\n' +
        'cycle,ams>lhr>syd,cyclic,0.48,0\n' +
        'missing,ams>syd>lhr,partial,0.8,0\n' +
        'sensitive,ams>lhr>syd,total,0.95,1\n' +
        'silent,,unreachable,0,0\n',
    );
    const rtt = readFileSync(join(dir, 'rtt.csv'), 'utf8').split('\n');
    expect(rtt[0]).toBe('target,site,rtt_ms,source');
    expect(rtt).toContain('total,syd,30,unicast');
    expect(rtt).toContain('missing,lhr,20,unicast');
    expect(rtt.filter((l) => l.startsWith('silent,'))).toEqual([]);
    expect(r.stderr).toMatch(/cyclic +1\n/);
  });

  it('prints a JSON summary', async () => {
    const dir = tempDir();
    const r = await run(['orders', '--observations', FIXTURE, '--out', 'o.csv', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.status).toEqual({ total: 3, cyclic: 1, partial: 1, unreachable: 1 });
    expect(j.orderSensitive).toBe(1);
    expect(j.announceOrder).toEqual(['ams', 'lhr', 'syd']);
  });

  it('composes provider pairs from --sites', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sites.csv'), 'site,city,provider\na1,x,A\na2,x,A\nb1,y,B\nb2,y,B\n');
    writeFileSync(
      join(dir, 'obs.csv'),
      'experiment,announced,target,site,rtt_ms\n' + 'e1,a1|a2,t,a2,5\ne2,b1|b2,t,b1,6\ne3,a1|b1,t,b1,6\n',
    );
    const r = await run(['orders', '--observations', 'obs.csv', '--sites', 'sites.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('t,b1>b2>a2>a1,total,');
  });

  it('rejects a bad observation line with file, line and value, and writes nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'obs.csv'), 'experiment,announced,target,site,rtt_ms\ne1,ams|lhr,t1,syd,10\n');
    const r = await run(['orders', '--observations', 'obs.csv', '--out', 'o.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('obs.csv:2: column "site" must be one of the announced sites ams|lhr or empty (no reply), got "syd"');
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });

  it('writes ids with commas and quotes so that predict reads them back', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'obs.csv'), 'experiment,announced,target,site,rtt_ms\na1,ams,"tot,al",ams,10\na2,ams|lhr,"tot,al",lhr,5\na2,ams|lhr,"say ""hi""",ams,7\n');
    const r = await run(['orders', '--observations', 'obs.csv', '--out', 'orders.csv', '--rtt-out', 'rtt.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'orders.csv'), 'utf8')).toContain('\n"tot,al",lhr>ams,total,1,0\n"say ""hi""",ams>lhr,total,1,0\n');
    expect(readFileSync(join(dir, 'rtt.csv'), 'utf8')).toContain('\n"tot,al",ams,10,unicast\n"tot,al",lhr,5,anycast\n');
    const p = await run(['predict', '--orders', 'orders.csv', '--rtt', 'rtt.csv', '--sites', 'ams,lhr', '--out', 'p.csv', '--json'], { cwd: dir });
    expect(p.stderr).toContain('predict: 2 sites, 2 targets');
    expect(p.code).toBe(0);
    // predicted.csv quotes them too.
    expect(readFileSync(join(dir, 'p.csv'), 'utf8')).toContain('\n"tot,al",lhr,5,');
    expect(readFileSync(join(dir, 'p.csv'), 'utf8')).toContain('\n"say ""hi""",ams,7,');
  });

  it('--sites: a site listed with two providers is an error naming both lines', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'obs.csv'), 'experiment,announced,target,site,rtt_ms\na1,ams,t1,ams,10\na2,ams|lhr,t1,lhr,5\n');
    writeFileSync(join(dir, 'sites.csv'), 'site,provider\nams,A\nlhr,B\nams,C\n');
    const r = await run(['orders', '--observations', 'obs.csv', '--sites', 'sites.csv', '--out', 'o.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sites.csv:4: column "provider" must be the same for every row of site "ams" (line 2 has A), got "C"');
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });

  it('rejects an unbalanced quote and a short row instead of reading a target or a non-answer into them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'obs.csv'), 'experiment,announced,target,site,rtt_ms\na1,ams,"total,ams,10\na1,ams,total\n');
    const r = await run(['orders', '--observations', 'obs.csv', '--out', 'o.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: obs.csv:2: must close every quoted field on its line (a closing " is missing), got "a1,ams,\\"total,ams,10"\n' +
        'obs.csv:3: must have 5 fields like the header (an empty site and rtt_ms are written ",,"), got "a1,ams,total"\n',
    );
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });

  it('rejects conflicting rows for one (experiment, target), naming both lines', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'obs.csv'), 'experiment,announced,target,site,rtt_ms\ne1,ams|lhr,t1,ams,10\ne1,ams|lhr,t1,lhr,12\n');
    const r = await run(['orders', '--observations', 'obs.csv', '--out', 'o.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: obs.csv:3: column "target" must appear once in experiment "e1": line 2 has it with site ams, rtt_ms 10, got "t1 with site lhr, rtt_ms 12"\n');
  });

  it('a path through a file (ENOTDIR) is an input error, not an internal one', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.csv'), 'x\n');
    const r = await run(['orders', '--observations', 'f.csv/x', '--out', 'o.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: f.csv/x: could not be read: ENOTDIR');
    const p = await run(['predict', '--orders', 'f.csv', '--rtt', 'f.csv/x', '--sites', 'a'], { cwd: dir });
    expect(p.code).toBe(2);
  });

  it('requires --observations', async () => {
    const r = await run(['orders']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing required option `--observations`');
  });
});
