import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { clientPrefix, ReplyParser, TargetResolver } from '../../src/import/replies.js';
import { readObservations } from '../../src/io/observations.js';
import { runInProcess, tempDir } from '../helpers.js';

const fx = resolve(import.meta.dirname, '../../fixtures/import');

describe('anyopt import verfploeter', () => {
  it('maps replies to /24 targets and site labels to sites; reports the bad row with its line', async () => {
    const dir = tempDir();
    const r = await runInProcess(
      ['import', 'verfploeter', join(fx, 'verfploeter.csv'), '--experiment', 'e007', '--announced', 'ams|sea', '--site-map', join(fx, 'site-map.csv'), '--max-bad', '0.2', '--out', 'obs.csv', '--json'],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'obs.csv'), 'utf8')).toBe(
      [
        'experiment,announced,target,site,rtt_ms',
        'e007,ams|sea,1.0.0.0/24,sea,1.5', // send_receive_time_diff, ms
        'e007,ams|sea,1.1.1.0/24,ams,0.93',
        'e007,ams|sea,1.0.4.0/24,ams,22.5', // empty diff: receive_time - transmit_time (ns)
        'e007,ams|sea,2001:db8:12::/48,sea,11.12',
        '',
      ].join('\n'),
    );
    // 1.0.4.18 is in the same /24 as 1.0.4.17: a duplicate, first reply kept.
    expect(JSON.parse(r.stdout)).toMatchObject({ experiment: 'e007', announced: ['ams', 'sea'], replies: 5, duplicates: 1, targets: 4, answered: 4, records: 6, bad: 1 });
    expect(r.stderr).toContain(`warning: 1 bad row skipped:\n${join(fx, 'verfploeter.csv')}:6: column "source_address" must be an IPv4 or IPv6 address, got "not-an-address"\n`);
    const { table, issues } = await readObservations(join(dir, 'obs.csv'));
    expect(issues.total).toBe(0);
    expect(table.rows).toBe(4);
  });

  it('fails when more than 1% of the rows are bad, unless --max-bad allows it', async () => {
    const r = await runInProcess(['import', 'verfploeter', join(fx, 'verfploeter.csv'), '--announced', 'ams|sea', '--site-map', join(fx, 'site-map.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${join(fx, 'verfploeter.csv')}: has 1 bad rows of 6 (16.7%), more than --max-bad 0.01 allows\n` +
        `${join(fx, 'verfploeter.csv')}:6: column "source_address" must be an IPv4 or IPv6 address, got "not-an-address"\n`,
    );
  });

  it('reads gzip and maps /24s to the target ids of --targets, with a row for every target', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'v.csv.gz'), gzipSync(readFileSync(join(fx, 'verfploeter.csv'))));
    const r = await runInProcess(['import', 'verfploeter', 'v.csv.gz', '--site-map', join(fx, 'site-map.csv'), '--targets', join(fx, 'targets.csv'), '--max-bad', '0.5'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      ['experiment,announced,target,site,rtt_ms', 'v,sea|ams,1.0.0.1,sea,1.5', 'v,sea|ams,1.0.4.1,ams,22.5', 'v,sea|ams,1.1.1.1,ams,0.93', 'v,sea|ams,9.9.9.1,,', ''].join('\n'),
    );
    expect(r.stderr).toContain('note: no --announced given; announced sites taken in order of first reply: sea|ams');
    expect(r.stderr).toContain('1 replies from prefixes not in --targets');
  });
});

describe('anyopt import: files that must not turn into silent rows', () => {
  it('refuses an empty replies file instead of writing every target as silent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.csv'), '');
    writeFileSync(join(dir, 'm.csv'), '# meta only\n');
    for (const [format, file] of [['verfploeter', 'x.csv'], ['manycastr', 'm.csv']]) {
      const r = await runInProcess(['import', format, file, '--targets', join(fx, 'targets.csv'), '--announced', 'sea|ams', '--out', 'obs.csv'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${file}: must contain a ${format} header line\n`);
      expect(existsSync(join(dir, 'obs.csv'))).toBe(false);
    }
  });

  it('says a folder given as the replies file is a folder', async () => {
    const r = await runInProcess(['import', 'manycastr', '.', '--targets', join(fx, 'targets.csv')], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: Expected the mapper's output file, got the folder `.`\n");
  });

  it('rejects --targets prefixes that are malformed or have host bits set, with line and value', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'targets.csv'), 'target,prefix\n1.0.0.1,abc\n1.0.4.1,1.0.0.0/33\n1.1.1.1,1.0.0.5/24\n');
    const r = await runInProcess(['import', 'verfploeter', join(fx, 'verfploeter.csv'), '--targets', 'targets.csv', '--announced', 'sea|ams'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: targets.csv:2: column "prefix" must be a prefix such as 192.0.2.0/24 or 2001:db8::/32, got "abc"\n' +
        'targets.csv:3: column "prefix" must have an IPv4 prefix length in [0, 32], got "1.0.0.0/33"\n' +
        'targets.csv:4: column "prefix" must have no host bits set after the prefix length (the network is 1.0.0.0/24), got "1.0.0.5/24"\n',
    );
  });
});

describe('anyopt import manycastr', () => {
  it('skips # metadata, maps rx through the site map, and counts unknown labels and bad RTTs as bad rows', async () => {
    const r = await runInProcess(['import', 'manycastr', join(fx, 'manycastr.csv'), '--experiment', 'x1', '--announced', 'sea|ams', '--site-map', join(fx, 'site-map.csv'), '--max-bad', '0.5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(['experiment,announced,target,site,rtt_ms', 'x1,sea|ams,1.0.0.0/24,sea,1.5', 'x1,sea|ams,1.1.1.0/24,ams,0.93', ''].join('\n'));
    const f = join(fx, 'manycastr.csv');
    expect(r.stderr).toContain(
      `warning: 2 bad rows skipped:\n${f}:9: column "rx" must be a label listed in the site map, got "Unknown"\n${f}:10: column "rtt" must be a number >= 0 (ms), got "abc"\n`,
    );
    expect(r.stderr).toContain('x1: 3 replies -> 2 of 2 targets answered; 1 duplicate replies (first kept)');
  });

  it('rejects a file without an rtt column, naming the header line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'm.csv'), '# meta\nrx,addr,ttl\nams01,1.1.1.7,59\n');
    const r = await runInProcess(['import', 'manycastr', 'm.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: m.csv:2: manycastr header must name the column "rtt", got "rx,addr,ttl"\n');
  });

  it('reads quoted fields as CSV does, and refuses a reply-less file without --announced', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'q.csv'), 'rx,addr,ttl,rtt\n"ams",1.1.1.7,59,3\nams,"e,f",59,3\n');
    const q = await runInProcess(['import', 'manycastr', 'q.csv', '--max-bad', '1'], { cwd: dir });
    expect(q.code).toBe(0);
    expect(q.stdout).toBe('experiment,announced,target,site,rtt_ms\nq,ams,1.1.1.0/24,ams,3\n');
    expect(q.stderr).toContain('q.csv:3: column "addr" must be an IPv4 or IPv6 address, got "e,f"');
    writeFileSync(join(dir, 'h.csv'), 'rx,addr,ttl,rtt\n');
    const h = await runInProcess(['import', 'manycastr', 'h.csv'], { cwd: dir });
    expect(h.code).toBe(2);
    expect(h.stderr).toContain('h.csv: must hold at least one reply, or give --announced');
  });
});

describe('reply parsing', () => {
  it('reduces IPv4 to /24 and IPv6 to /48, in RFC 5952 text as a targets.csv prefix is compared', () => {
    expect(clientPrefix('192.0.2.77')).toBe('192.0.2.0/24');
    expect(clientPrefix('2001:db8::1')).toBe('2001:db8::/48');
    expect(clientPrefix('2001:0DB8:00ab:cd::')).toBe('2001:db8:ab::/48');
    expect(clientPrefix('::1')).toBe('::/48');
    expect(clientPrefix('::ffff:192.0.2.9')).toBe('192.0.2.0/24');
    expect(clientPrefix('2001:db8::1::2')).toBeUndefined();
    // targets.csv prefixes in any spelling match (2001:db8::1 never matched 2001:db8::/48 before).
    const r = new TargetResolver(['t1', 't2', 't3'], ['2001:DB8:0::/48', '2001:db8:12:0::/48', '192.0.2.0/24']);
    expect(['2001:db8::1', '2001:db8:12::99', '::ffff:192.0.2.9', '2001:db8:13::1', 'x'].map((a) => r.resolve(a))).toEqual([0, 1, 2, -1, -2]);
    expect(clientPrefix('256.1.1.1')).toBeUndefined();
    expect(clientPrefix('hello')).toBeUndefined();
  });

  it('detects the plain target,site,rtt_ms format', () => {
    const p = new ReplyParser('x');
    p.push('target,site,rtt_ms', 1);
    expect(p.format).toBe('csv');
    expect(p.push('t1,ams,3.5', 2)).toEqual({ target: 't1', site: 'ams', rttMs: 3.5, line: 2 });
    // A target that did not answer, as `sim catchment` writes it: a valid row, no reply.
    expect(p.push('t2,,', 3)).toBeUndefined();
    // An RTT without a site is unreadable.
    expect(p.push('t3,,7', 4)).toBeUndefined();
    expect(p.records).toBe(3);
    expect(p.badLines).toBe(1);
    expect(p.issues.map((i) => i.line)).toEqual([4]);
  });
});
