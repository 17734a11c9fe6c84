import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBgpdumpLine, asPathLength } from '../../src/routes/bgpdump.js';
import { FlowParser, flowColumns, newFlowRecord, parseGoflow2Line } from '../../src/routes/flows.js';
import { percentile95, TrafficEstimator } from '../../src/routes/traffic.js';
import { PrefixTrie } from '../../src/routes/trie.js';
import { readFlows } from '../../src/io/routes/flows.js';
import { loadRoutes, runTrafficPipeline } from '../../src/io/routes/pipeline.js';
import { readPerformance } from '../../src/io/routes/performance.js';
import { InputError, formatIssue } from '../../src/io/issues.js';
import { tempDir } from '../helpers.js';

const FIX = join(import.meta.dirname, '../../fixtures/routes');
const fx = (name: string) => ({ path: join(FIX, name), label: name });

describe('bgpdump -m lines', () => {
  it('reads RIB entries, updates, withdrawals and skips state changes', () => {
    const r = parseBgpdumpLine('TABLE_DUMP2|1699999000|B|198.51.100.1|64500|10.1.0.0/16|64500 64498 64498 64498|IGP|198.51.100.1|0|0||NAG||');
    expect(r).toMatchObject({ kind: 'announce', peerIp: '198.51.100.1', peerAs: '64500', asPathLength: 4 });
    expect(parseBgpdumpLine('BGP4MP|1699999700|W|198.51.100.2|64501|198.51.100.128/25')).toMatchObject({ kind: 'withdraw', peerAs: '64501' });
    expect(parseBgpdumpLine('BGP4MP|1699999500|STATE|198.51.100.2|64501|3|6')).toEqual({ kind: 'skip' });
    expect(asPathLength('64501 {64499,64502}')).toBe(2);
    expect(asPathLength('')).toBe(0);
  });

  it('says what is wrong with a broken line', () => {
    expect(parseBgpdumpLine('TABLE_DUMP2|1699999000|B|198.51.100.1|64500|10.1.0.0/33|64500|IGP')).toMatchObject({ kind: 'bad', column: 'prefix', expected: 'must have an IPv4 prefix length in [0, 32]' });
    expect(parseBgpdumpLine('TABLE_DUMP2|1699999000|B|198.51.100.1|64500|10.1.0.0/16|64500 AS3356|IGP')).toMatchObject({ kind: 'bad', column: 'as_path' });
    expect(parseBgpdumpLine('hello world')).toMatchObject({ kind: 'bad', column: 'type' });
  });

  it('builds the union table with providers by peer, withdrawals applied, unknown peers counted', async () => {
    const { table, rib, providers } = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), fx('rib-beta.txt')], 0.01);
    expect(providers.map((p) => p.name)).toEqual(['alpha', 'beta']);
    expect(providers[1].overagePricePerMbps).toBe(0.4); // empty overage price defaults to the price
    expect(table.prefixes).toEqual(['203.0.113.0/24', '192.0.2.0/24', '10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32', '198.51.100.128/25']);
    expect(Array.from(table.routesPerProvider)).toEqual([5, 4]);
    expect(table.hasRoute(table.find('198.51.100.128/25'), 1)).toBe(false);
    expect(table.bgpDefault(table.find('10.1.0.0/16'))).toBe(1); // 2 hops via beta beat 4 (prepended) via alpha
    expect(table.bgpDefault(table.find('203.0.113.0/24'))).toBe(0);
    expect(rib.unmatchedPeers.get('192.0.2.250 AS65000')).toBe(1);
  });

  it('refuses a provider without any route', async () => {
    const err = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt')], 0.01).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('rib-alpha.txt: must hold routes for provider "beta" (peer_ip 198.51.100.2, AS64501); a provider without routes cannot be planned');
  });

  it('refuses a file with more than 1% unreadable lines, naming file and line', async () => {
    const dir = tempDir();
    const good = 'TABLE_DUMP2|1|B|198.51.100.2|64501|203.0.113.0/24|64501 1|IGP|198.51.100.2|0|0||NAG||\n';
    writeFileSync(join(dir, 'rib.txt'), good.repeat(50) + 'TABLE_DUMP2|1|B|198.51.100.2|64501|203.0.113.0/24|64501 x|IGP\n');
    const err = (await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), { path: join(dir, 'rib.txt'), label: 'rib.txt' }], 0.01).catch((e: unknown) => e)) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(formatIssue(err.issues[0])).toBe('rib.txt:51: column "as_path" must be AS numbers separated by spaces, got "64501 x"');
    expect(err.message).toContain('rib.txt: has 1 unreadable of 51 records (1.96%), more than the 1.00% allowed (raise with --max-bad-share)');
    // Overridable.
    const ok = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), { path: join(dir, 'rib.txt'), label: 'rib.txt' }], 0.05);
    expect(ok.warnings.map(formatIssue)).toEqual(['rib.txt:51: column "as_path" must be AS numbers separated by spaces, got "64501 x"']);
  });

  it('refuses a provider whose capacity is not positive', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), 'provider,asn,peer_ip,next_hop,capacity_mbps\nalpha,64500,198.51.100.1,198.51.100.1,0\n');
    const err = (await loadRoutes({ path: join(dir, 'p.csv'), label: 'p.csv' }, [fx('rib-alpha.txt')], 0.01).catch((e: unknown) => e)) as InputError;
    expect(err.message).toBe('p.csv:2: column "capacity_mbps" must be a number > 0, got "0"');
  });
});

describe('flow records', () => {
  it('scales bytes by the sampling rate (0 or missing means unsampled)', () => {
    const cols = flowColumns('time,dst_addr,bytes,packets,sampling_rate'.split(','));
    if (typeof cols === 'string') throw new Error(cols);
    const p = new FlowParser('csv', cols);
    const rec = newFlowRecord();
    expect(p.parse('1700000000,192.0.2.1,1500,1,100', rec)).toBeUndefined();
    expect(rec.bytes).toBe(150000);
    expect(p.parse('1700000000,192.0.2.1,1500,1,0', rec)).toBeUndefined();
    expect(rec.bytes).toBe(1500);
    expect(p.parse('1700000000,192.0.2.1,1500,1,', rec)).toBeUndefined();
    expect(rec.bytes).toBe(1500);
    expect(parseGoflow2Line('{"time_received_ns":1700000000000000000,"sampling_rate":512,"bytes":100,"dst_addr":"2001:db8::1"}', rec)).toBeUndefined();
    expect(rec).toMatchObject({ bytes: 51200, family: 6, time: 1700000000 });
  });

  it('reports broken flow lines with the column and value', () => {
    const cols = flowColumns('time,dst_addr,bytes,packets,sampling_rate'.split(','));
    if (typeof cols === 'string') throw new Error(cols);
    const p = new FlowParser('csv', cols);
    const rec = newFlowRecord();
    expect(p.parse('1700000000,192.0.2.300,1500,1,1', rec)).toEqual({ column: 'dst_addr', expected: 'must be an IPv4 or IPv6 address', received: '192.0.2.300' });
    expect(p.parse('yesterday,192.0.2.1,1500,1,1', rec)).toEqual({ column: 'time', expected: 'must be Unix seconds or a date-time', received: 'yesterday' });
    expect(p.parse('1700000000,192.0.2.1,-5,1,1', rec)).toMatchObject({ column: 'bytes' });
    expect(parseGoflow2Line('{"bytes":1', rec)).toMatchObject({ column: 'line', expected: 'must be one JSON object (goflow2 -format json)' });
  });

  it('reads nfdump CSV in both header styles, goflow2 JSON and plain CSV to the same traffic', async () => {
    const results: string[] = [];
    for (const name of ['flows-nfdump-1.7.4.csv', 'flows-nfdump-1.7.5.csv', 'flows-goflow2.jsonl']) {
      const { table } = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), fx('rib-beta.txt')], 0.01);
      const est = new TrafficEstimator(table.trie, table.size);
      const r = await readFlows(join(FIX, name), name, est);
      expect(r.report.issues.total).toBe(0);
      expect(r.report.records).toBe(2); // the nfdump Summary block is not data
      const e = est.finish();
      results.push(Array.from(e.prefixIds, (id, a) => `${table.prefixes[id]}=${e.meanMbps[a].toFixed(4)}/${e.p95Mbps[a].toFixed(4)}`).join(' '));
    }
    // 375,000 bytes in a 5-minute bin = 0.01 Mbps; goflow2's sampling rate 100 scales 3,750 bytes to the same.
    expect(results).toEqual(Array(3).fill('203.0.113.0/24=0.0050/0.0100 2001:db8::/32=0.0100/0.0200'));
  });

  it('refuses an unknown header', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f.csv'), 'when,where,what\n1,2,3\n');
    const est = new TrafficEstimator(new PrefixTrie(), 0);
    const err = (await readFlows(join(dir, 'f.csv'), 'f.csv', est).catch((e: unknown) => e)) as InputError;
    expect(err.message).toMatch(/^f\.csv:1: header must be time,dst_addr,bytes,packets,sampling_rate/);
  });
});

describe('traffic per prefix', () => {
  it('computes the billing 95th percentile', () => {
    expect(percentile95(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(95);
    expect(percentile95(Array.from({ length: 20 }, (_, i) => 20 - i))).toBe(19);
    expect(percentile95([7])).toBe(7);
    expect(percentile95([])).toBe(0);
    // 288 five-minute samples of a day: the 14 highest are dropped.
    const day = Array.from({ length: 288 }, (_, i) => i);
    expect(percentile95(day)).toBe(273);
  });

  it('matches flows to the most specific prefix, bins them, and counts unmatched flows', async () => {
    const run = await runTrafficPipeline({ providers: fx('providers.csv'), routes: [fx('rib-alpha.txt'), fx('rib-beta.txt')], flows: fx('flows.csv'), maxBadShare: 0.01 });
    const e = run.estimate;
    const got = Object.fromEntries(Array.from(e.prefixIds, (id, a) => [run.table.prefixes[id], [e.meanMbps[a], e.p95Mbps[a], e.flowRecords[a], e.peakMbps[a]].map((x) => Number(x.toFixed(6)))]));
    expect(got).toEqual({
      '203.0.113.0/24': [1, 3, 2, 3],
      '10.1.0.0/16': [0.333333, 1, 1, 0],
      '10.0.0.0/8': [0.333333, 1, 1, 0],
      '2001:db8::/32': [0.333333, 1, 1, 0],
    });
    expect(e.bins).toBe(3);
    expect(e.unmatched).toBe(1);
    expect(e.matched).toBe(5);
  });
});

describe('probe results', () => {
  it('averages per prefix and provider, accepts empty RTT only at 100% loss, and reports bad lines', async () => {
    const { table, providers } = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), fx('rib-beta.txt')], 0.01);
    const dir = tempDir();
    writeFileSync(
      join(dir, 'perf.csv'),
      'time,prefix,provider,rtt_ms,loss_pct,jitter_ms\n' +
        '1700000000,203.0.113.0/24,alpha,100,0,2\n1700000300,203.0.113.0/24,alpha,120,1,4\n' +
        '1700000000,203.0.113.0/24,beta,,100,\n1700000000,203.0.113.0/24,beta,,50,\n' +
        '1700000000,203.0.113.0/24,gamma,10,0,1\n1700000000,198.18.0.0/15,alpha,10,0,1\n',
    );
    const r = await readPerformance(join(dir, 'perf.csv'), 'perf.csv', table, new Map(providers.map((p, j) => [p.name, j])));
    const at = table.find('203.0.113.0/24') * 2;
    expect(r.perf.rttSum[at] / r.perf.rttCount[at]).toBe(110);
    expect(r.perf.lossSum[at] / r.perf.count[at]).toBe(0.5);
    expect(r.perf.count[at + 1]).toBe(1);
    expect(r.unknownPrefixes).toBe(1);
    expect(r.report.issues.items.map(formatIssue)).toEqual([
      'perf.csv:5: column "rtt_ms" must be a number >= 0 (empty only when loss_pct is 100), got ""',
      'perf.csv:6: column "provider" must be one of the providers (alpha, beta), got "gamma"',
    ]);
  });
});

describe('streaming bins', () => {
  it('merges flows that arrive after their bin was closed, and reads quoted fields', async () => {
    const { table } = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), fx('rib-beta.txt')], 0.01);
    const dir = tempDir();
    const t0 = 1699999800;
    const lines = ['time,dst_addr,bytes,packets,sampling_rate'];
    // One flow per bin for 6 bins, then a late flow for bin 0 (long after it was flushed).
    for (let b = 0; b < 6; b++) lines.push(`${t0 + 300 * b + 1},203.0.113.1,37500000,1,1`);
    lines.push(`${t0 + 2},"203.0.113.2",75000000,1,1`);
    writeFileSync(join(dir, 'f.csv'), lines.join('\n') + '\n');
    const est = new TrafficEstimator(table.trie, table.size);
    const r = await readFlows(join(dir, 'f.csv'), 'f.csv', est);
    expect(r.report.issues.total).toBe(0);
    const e = est.finish();
    expect(Array.from(e.prefixIds)).toEqual([table.find('203.0.113.0/24')]);
    // Bins: 3, 1, 1, 1, 1, 1 Mbps -> mean 8/6, p95 (index 5 of 6) = 3, busiest bin is bin 0.
    expect(e.meanMbps[0]).toBeCloseTo(8 / 6, 9);
    expect(e.p95Mbps[0]).toBeCloseTo(3, 9);
    expect(e.peakMbps[0]).toBeCloseTo(3, 9);
    expect(e.flowRecords[0]).toBe(7);
  });
});
