import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, tempDir } from '../helpers.js';

const FIX = join(import.meta.dirname, '../../fixtures/routes');

describe('anyopt routes traffic', () => {
  it('writes per-prefix traffic and summarises on stderr', async () => {
    const dir = tempDir();
    const r = await runInProcess(['routes', 'traffic', '--routes', 'rib-alpha.txt', 'rib-beta.txt', '--providers', 'providers.csv', '--flows', 'flows.csv', '--out', join(dir, 't.csv')], { cwd: FIX });
    expect(r.stderr).toContain('1 flow records (0.00% of bytes) matched no prefix in any provider table');
    expect(r.stderr).toContain('192.0.2.250 AS65000 (1)');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 't.csv'), 'utf8')).toBe(
      'prefix,mean_mbps,p95_mbps,flow_records,peak_mbps\n' +
        '203.0.113.0/24,1,3,2,3\n10.0.0.0/8,0.333,1,1,0\n10.1.0.0/16,0.333,1,1,0\n2001:db8::/32,0.333,1,1,0\n',
    );
  });

  it('averages over the whole input period, flows that match no prefix included', async () => {
    const dir = tempDir();
    // 3.75 MB to 203.0.113.0/24 at the first bin, an unmatched flow four bins later: 30 Mb over 5 x 300 s.
    writeFileSync(join(dir, 'f.csv'), 'time,dst_addr,bytes,packets,sampling_rate\n1699999800,203.0.113.7,3750000,1,1\n1700001000,100.64.0.1,100,1,1\n');
    const out = join(dir, 't.csv');
    const r = await runInProcess(['routes', 'traffic', '--routes', join(FIX, 'rib-alpha.txt'), join(FIX, 'rib-beta.txt'), '--providers', join(FIX, 'providers.csv'), '--flows', 'f.csv', '--out', out], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('5 bins');
    expect(readFileSync(out, 'utf8').split('\n')[1]).toMatch(/^203\.0\.113\.0\/24,0\.02,/);
  });

  it('sends the traffic of a prefix no provider routes (withdrawn everywhere, or only ever withdrawn) to the route covering it', async () => {
    const dir = tempDir();
    // 10.1.0.0/16 is withdrawn by both providers; 10.2.0.0/16 is only ever withdrawn.
    writeFileSync(
      join(dir, 'upd.txt'),
      'BGP4MP|1700000100|W|198.51.100.1|64500|10.1.0.0/16\nBGP4MP|1700000100|W|198.51.100.2|64501|10.1.0.0/16\nBGP4MP|1700000100|W|198.51.100.1|64500|10.2.0.0/16\n',
    );
    writeFileSync(join(dir, 'f.csv'), 'time,dst_addr,bytes,packets,sampling_rate\n1700000000,10.1.2.3,3750000,1,1\n1700000000,10.2.2.3,3750000,1,1\n1700000000,10.9.9.9,3750000,1,1\n');
    const out = join(dir, 't.csv');
    const r = await runInProcess(['routes', 'traffic', '--routes', join(FIX, 'rib-alpha.txt'), join(FIX, 'rib-beta.txt'), 'upd.txt', '--providers', join(FIX, 'providers.csv'), '--flows', 'f.csv', '--out', out], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('prefix,mean_mbps,p95_mbps,flow_records,peak_mbps\n10.0.0.0/8,0.3,0.3,3,0.3\n');
  });

  it('counts zero-byte flows that arrive late without writing NaN', async () => {
    const dir = tempDir();
    const late = Array.from({ length: 10 }, () => '1700000000,203.0.113.5,0,1,1\n').join('');
    writeFileSync(join(dir, 'z.csv'), `time,dst_addr,bytes,packets,sampling_rate\n1700001500,203.0.113.5,3750000,1,1\n${late}`);
    const out = join(dir, 't.csv');
    const r = await runInProcess(['routes', 'traffic', '--routes', join(FIX, 'rib-alpha.txt'), join(FIX, 'rib-beta.txt'), '--providers', join(FIX, 'providers.csv'), '--flows', 'z.csv', '--out', out], { cwd: dir });
    expect(r.code).toBe(0);
    // 30 Mb in one bin of six: 0.1 Mbps in that bin, mean 0.1 / 6; p95 is that bin.
    expect(readFileSync(out, 'utf8')).toBe('prefix,mean_mbps,p95_mbps,flow_records,peak_mbps\n203.0.113.0/24,0.017,0.1,11,0.1\n');
  });

  it('exits 2 and writes nothing when too many flow lines are broken', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.csv'), 'time,dst_addr,bytes,packets,sampling_rate\n1700000000,203.0.113.1,10,1,1\n1700000000,not-an-ip,10,1,1\n');
    const out = join(dir, 't.csv');
    const r = await runInProcess(['routes', 'traffic', '--routes', join(FIX, 'rib-alpha.txt'), join(FIX, 'rib-beta.txt'), '--providers', join(FIX, 'providers.csv'), '--flows', 'bad.csv', '--out', out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv:3: column "dst_addr" must be an IPv4 or IPv6 address, got "not-an-ip"');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a far-off flow time as a bad line instead of allocating bins up to it', async () => {
    const dir = tempDir();
    const nfdump = readFileSync(join(FIX, 'flows-nfdump-1.7.5.csv'), 'utf8').replace('2023-11-14 22:10:10.120', '9999-12-31 23:59:59');
    writeFileSync(join(dir, 'n.csv'), nfdump);
    const out = join(dir, 't.csv');
    const r = await runInProcess(['routes', 'traffic', '--routes', join(FIX, 'rib-alpha.txt'), join(FIX, 'rib-beta.txt'), '--providers', join(FIX, 'providers.csv'), '--flows', 'n.csv', '--out', out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('n.csv:2: column "firstSeen" must be a time from 1990-01-01 to 2100-01-01 UTC, got "9999-12-31 23:59:59"');
    expect(r.stderr).toContain('n.csv: has 1 unreadable of 2 records');
    expect(existsSync(out)).toBe(false);
  });

  it('shows an example in --help', async () => {
    const r = await runInProcess(['routes', 'traffic', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Example:');
  });
});
