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

  it('requires --observations', async () => {
    const r = await run(['orders']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Missing required option `--observations`');
  });
});
