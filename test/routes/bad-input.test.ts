import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newFlowRecord, parseGoflow2Line } from '../../src/routes/flows.js';
import { DEFAULT_POLICY } from '../../src/routes/model.js';
import { TrafficEstimator, TrafficSpanError } from '../../src/routes/traffic.js';
import { readFlows } from '../../src/io/routes/flows.js';
import { loadOptimizeInputs, loadRoutes, runTrafficPipeline } from '../../src/io/routes/pipeline.js';
import { readPerformance } from '../../src/io/routes/performance.js';
import { formatIssue, InputError } from '../../src/io/issues.js';
import { tempDir } from '../helpers.js';

const FIX = join(import.meta.dirname, '../../fixtures/routes');
const fx = (name: string) => ({ path: join(FIX, name), label: name });
const CSV = 'time,dst_addr,bytes,packets,sampling_rate\n';
const NFDUMP = 'firstSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,flows\n';
const gf = (o: Record<string, unknown>) => JSON.stringify({ time_received_ns: 1700000000000000000, sampling_rate: 1, bytes: 100, dst_addr: '203.0.113.7', ...o });

/** Read one flows file (written to a temp folder) and return its issues as text. */
async function flowIssues(name: string, text: string): Promise<string[]> {
  const dir = tempDir();
  writeFileSync(join(dir, name), text);
  const { table } = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), fx('rib-beta.txt')], 0.01);
  const r = await readFlows(join(dir, name), name, new TrafficEstimator(table.trie, table.size));
  return r.report.issues.items.map(formatIssue);
}

describe('flow times', () => {
  it('rejects times outside 1990..2100 per line, in every format and on the fast path', async () => {
    expect(await flowIssues('f.csv', `${CSV}1700000000,203.0.113.7,10,1,1\n1e20,203.0.113.7,10,1,1\n1700000000000,203.0.113.7,10,1,1\n0,203.0.113.7,10,1,1\n`)).toEqual([
      'f.csv:3: column "time" must be a time from 1990-01-01 to 2100-01-01 UTC, got "1e20"',
      'f.csv:4: column "time" must be a time from 1990-01-01 to 2100-01-01 UTC, got "1700000000000"',
      'f.csv:5: column "time" must be a time from 1990-01-01 to 2100-01-01 UTC, got "0"',
    ]);
    expect(await flowIssues('n.csv', `${NFDUMP}9999-12-31 23:59:59,2.000,TCP,192.0.2.99,443,203.0.113.7,51234,300,375000,1\n2023-11-14 22:15:01.000,1.000,TCP,192.0.2.99,443,2001:db8::1,51234,10,750000,1\n`)).toEqual([
      'n.csv:2: column "firstSeen" must be a time from 1990-01-01 to 2100-01-01 UTC, got "9999-12-31 23:59:59"',
    ]);
    expect(await flowIssues('g.jsonl', `${gf({ time_received_ns: 1e30 })}\n${gf({})}\n${gf({ time_received_ns: undefined, TimeReceived: 'soon' })}\n`)).toEqual([
      'g.jsonl:1: column "time_received_ns" must be a time from 1990-01-01 to 2100-01-01 UTC, got "1e+30"',
      'g.jsonl:3: column "TimeReceived" must be a number of seconds since 1970, got "soon"',
    ]);
  });

  it('refuses, without allocating a bin per step, flows spanning more than 366 days', async () => {
    const { table } = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), fx('rib-beta.txt')], 0.01);
    const est = new TrafficEstimator(table.trie, table.size);
    const rec = newFlowRecord();
    expect(parseGoflow2Line(gf({ time_received_ns: 788918400e9 }), rec)).toBeUndefined(); // 1995-01-01
    est.add(rec);
    expect(parseGoflow2Line(gf({}), rec)).toBeUndefined();
    est.add(rec);
    expect(() => est.finish()).toThrow(TrafficSpanError);

    const dir = tempDir();
    writeFileSync(join(dir, 'f.csv'), `${CSV}788918400,203.0.113.7,10,1,1\n${'1700000000,203.0.113.7,10,1,1\n'.repeat(200)}`);
    const err = await runTrafficPipeline({ providers: fx('providers.csv'), routes: [fx('rib-alpha.txt'), fx('rib-beta.txt')], flows: { path: join(dir, 'f.csv'), label: 'f.csv' }, maxBadShare: 0.01 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('f.csv: flow times must span at most 366 days from the earliest to the latest flow, got "1995-01-01T00:00:00Z to 2023-11-14T22:13:20Z"');
  });
});

describe('flow bytes and sampling rates', () => {
  it('rejects infinite, negative and absurd values per line in every format', async () => {
    const huge = '9'.repeat(400);
    expect(await flowIssues('f.csv', `${CSV}1700000000,203.0.113.7,1e400,1,1\n1700000000,203.0.113.7,${huge},1,1\n1700000000,203.0.113.7,10,1,1e400\n1700000000,203.0.113.7,10,1,-1\n1700000000,203.0.113.7,10,1,1\n`)).toEqual([
      'f.csv:2: column "bytes" must be a number in [0, 9007199254740991], got "1e400"',
      `f.csv:3: column "bytes" must be a number in [0, 9007199254740991], got "${huge.slice(0, 79)}…"`,
      'f.csv:4: column "sampling_rate" must be a number in [0, 4294967295] (0 means unsampled), got "1e400"',
      'f.csv:5: column "sampling_rate" must be a number in [0, 4294967295] (0 means unsampled), got "-1"',
    ]);
    expect(await flowIssues('n.csv', `${NFDUMP}2023-11-14 22:15:01.000,1.000,TCP,192.0.2.99,443,2001:db8::1,51234,10,1e400,1\n`)).toEqual([
      'n.csv:2: column "bytes" must be a number in [0, 9007199254740991], got "1e400"',
    ]);
    // JSON.parse reads 1e400 as Infinity.
    expect(await flowIssues('g.jsonl', `{"time_received_ns":1700000000000000000,"bytes":1e400,"dst_addr":"203.0.113.7"}\n${gf({ sampling_rate: '1e400' })}\n${gf({ bytes: -5 })}\n`)).toEqual([
      'g.jsonl:1: column "bytes" must be a number in [0, 9007199254740991], got "Infinity"',
      'g.jsonl:2: column "sampling_rate" must be a number in [0, 4294967295] (0 means unsampled), got "1e400"',
      'g.jsonl:3: column "bytes" must be a number in [0, 9007199254740991], got "-5"',
    ]);
    // Not numbers at all (Number(true) is 1); a numeric string is fine (64-bit counters).
    expect(await flowIssues('h.jsonl', `${gf({ bytes: true })}\n${gf({ sampling_rate: [] })}\n${gf({ bytes: '1500' })}\n`)).toEqual([
      'h.jsonl:1: column "bytes" must be a number in [0, 9007199254740991], got "true"',
      'h.jsonl:2: column "sampling_rate" must be a number in [0, 4294967295] (0 means unsampled), got ""',
    ]);
  });
});

describe('flow addresses and encodings', () => {
  it('reads IPv4-mapped IPv6 destinations as IPv6 in every format', async () => {
    expect(await flowIssues('f.csv', `${CSV}1700000000,::ffff:1.0.0.254,10,1,1\n1700000000,"::FFFF:192.0.2.1",10,1,1\n`)).toEqual([]);
    expect(await flowIssues('n.csv', `${NFDUMP}2023-11-14 22:15:01.000,1.000,TCP,192.0.2.99,443,::ffff:1.0.0.254,51234,10,100,1\n`)).toEqual([]);
    expect(await flowIssues('g.jsonl', `${gf({ dst_addr: '::ffff:1.0.0.254' })}\n`)).toEqual([]);
    const rec = newFlowRecord();
    expect(parseGoflow2Line(gf({ dst_addr: '::ffff:1.0.0.254' }), rec)).toBeUndefined();
    expect(rec).toMatchObject({ family: 6, a0: 0, a1: 0, a2: 0xffff, a3: 0x010000fe });
  });

  it('skips a UTF-8 byte order mark before the header or first record', async () => {
    expect(await flowIssues('f.csv', `\ufeff${CSV}1700000000,203.0.113.7,10,1,1\n`)).toEqual([]);
    expect(await flowIssues('n.csv', `\ufeff${NFDUMP}2023-11-14 22:15:01.000,1.000,TCP,192.0.2.99,443,2001:db8::1,51234,10,750000,1\n`)).toEqual([]);
    expect(await flowIssues('g.jsonl', `\ufeff${gf({})}\n`)).toEqual([]);
  });
});

describe('probe results file', () => {
  const read = async (text: string) => {
    const { table, providers } = await loadRoutes(fx('providers.csv'), [fx('rib-alpha.txt'), fx('rib-beta.txt')], 0.01);
    const dir = tempDir();
    writeFileSync(join(dir, 'perf.csv'), text);
    return readPerformance(join(dir, 'perf.csv'), 'perf.csv', table, new Map(providers.map((p, j) => [p.name, j])));
  };

  it('refuses an empty file instead of planning without probes', async () => {
    const err = await read('').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('perf.csv: must have a header line (time,prefix,provider,rtt_ms,loss_pct,jitter_ms), got ""');
  });

  it('rejects infinite RTT and jitter and bad times per line; accepts a BOM', async () => {
    const r = await read(
      '\ufefftime,prefix,provider,rtt_ms,loss_pct,jitter_ms\n' +
        '1700000000,203.0.113.0/24,alpha,100,0,2\n2023-11-14T22:15:01Z,203.0.113.0/24,alpha,110,0,2\n' +
        '1700000000,203.0.113.0/24,alpha,Infinity,0,2\n1700000000,203.0.113.0/24,alpha,100,0,Infinity\n' +
        'yesterday,203.0.113.0/24,alpha,100,0,2\n1e20,203.0.113.0/24,alpha,100,0,2\n',
    );
    expect(r.report.issues.items.map(formatIssue)).toEqual([
      'perf.csv:4: column "rtt_ms" must be a number >= 0 (empty only when loss_pct is 100), got "Infinity"',
      'perf.csv:5: column "jitter_ms" must be a number >= 0 or empty, got "Infinity"',
      'perf.csv:6: column "time" must be Unix seconds or a date-time from 1990-01-01 to 2100-01-01 UTC, got "yesterday"',
      'perf.csv:7: column "time" must be Unix seconds or a date-time from 1990-01-01 to 2100-01-01 UTC, got "1e20"',
    ]);
  });
});

describe('duplicate prefixes', () => {
  const load = async (files: { traffic?: string; current?: string }) => {
    const dir = tempDir();
    const file = (name: string, text: string | undefined) => {
      if (text === undefined) return undefined;
      writeFileSync(join(dir, name), text);
      return { path: join(dir, name), label: name };
    };
    return loadOptimizeInputs({
      providers: fx('providers.csv'),
      routes: [fx('rib-alpha.txt'), fx('rib-beta.txt')],
      traffic: file('traffic.csv', files.traffic) ?? fx('traffic.csv'),
      current: file('current.csv', files.current),
      policy: DEFAULT_POLICY,
      maxBadShare: 0.5,
    });
  };

  it('refuses a prefix listed twice in traffic.csv, naming both lines', async () => {
    const err = await load({ traffic: 'prefix,mean_mbps,p95_mbps\n203.0.113.0/24,300,400\n192.0.2.0/24,1,1\n203.0.113.0/24,300,400\n' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('traffic.csv:4: column "prefix" must be unique (also on line 2), got "203.0.113.0/24"');
  });

  it('refuses a prefix with two providers in current.csv; an identical repeat is harmless', async () => {
    const err = await load({ current: 'prefix,provider\n2001:db8::/32,alpha\n192.0.2.0/24,alpha\n2001:DB8::/32,beta\n' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('current.csv:4: column "provider" must agree with line 2 for 2001:db8::/32 ("alpha"): a prefix has one current provider, got "beta"');
    const ok = await load({ current: 'prefix,provider\n192.0.2.0/24,alpha\n198.51.100.128/25,beta\n192.0.2.0/24,alpha\n' });
    expect(ok.currentPrefixes).toEqual(['192.0.2.0/24', '198.51.100.128/25']);
    expect(ok.warnings).toEqual([]);
  });
});

describe('provider addresses', () => {
  it('wants an IPv4 next_hop and an IPv6 next_hop_v6, and matches peer_ip whatever its spelling', async () => {
    const dir = tempDir();
    const head = 'provider,asn,peer_ip,next_hop,next_hop_v6,capacity_mbps\n';
    writeFileSync(join(dir, 'bad.csv'), `${head}a,64500,198.51.100.1,fe80::1,198.51.100.9,1000\n`);
    const err = await loadRoutes({ path: join(dir, 'bad.csv'), label: 'bad.csv' }, [fx('rib-alpha.txt')], 0.01).catch((e: unknown) => e);
    expect((err as InputError).message).toBe(
      'bad.csv:2: column "next_hop" must be an IPv4 address (IPv4 routes are injected with it), got "fe80::1"\n' +
        'bad.csv:2: column "next_hop_v6" must be an IPv6 address (IPv6 routes are injected with it), got "198.51.100.9"',
    );
    // Two providers on one ASN, told apart by peer address: the dump spells it 2001:db8:0:0::2.
    writeFileSync(join(dir, 'p.csv'), `${head}a1,64500,2001:db8::1,198.51.100.1,,1000\na2,64500,2001:DB8::2,198.51.100.2,,1000\n`);
    writeFileSync(join(dir, 'rib.txt'), 'TABLE_DUMP2|1|B|2001:db8:0:0::2|64500|203.0.113.0/24|64500 64496|IGP\nTABLE_DUMP2|1|B|2001:db8::1|64500|192.0.2.0/24|64500 64496|IGP\n');
    const { table } = await loadRoutes({ path: join(dir, 'p.csv'), label: 'p.csv' }, [{ path: join(dir, 'rib.txt'), label: 'rib.txt' }], 0.01);
    expect(table.hasRoute(table.find('203.0.113.0/24'), 1)).toBe(true);
    expect(table.hasRoute(table.find('203.0.113.0/24'), 0)).toBe(false);
    expect(table.hasRoute(table.find('192.0.2.0/24'), 0)).toBe(true);
  });
});

describe('the bad share counts records, not bad cells', () => {
  it('lets one bad traffic.csv row of 201 pass the 1% rule though four of its cells are bad', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 200 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.0/24,1,1,1,1\n`).join('');
    writeFileSync(join(dir, 'traffic.csv'), `prefix,mean_mbps,p95_mbps,flow_records,peak_mbps\n${rows}10.5.0.0/16,x,y,z,w\n`);
    const args = { providers: fx('providers.csv'), routes: [fx('rib-alpha.txt'), fx('rib-beta.txt')], traffic: { path: join(dir, 'traffic.csv'), label: 'traffic.csv' }, policy: DEFAULT_POLICY };
    const ok = await loadOptimizeInputs({ ...args, maxBadShare: 0.01 });
    expect(ok.warnings).toHaveLength(4);
    const err = await loadOptimizeInputs({ ...args, maxBadShare: 0.004 }).catch((e: unknown) => e);
    expect((err as InputError).message).toContain('traffic.csv: has 1 unreadable of 201 records (0.50%)');
  });
});

describe('numbers each within range whose product is not', () => {
  it('refuses weights, traffic or prices that take a score past what the solver can hold (was an internal error or a false "no plan")', async () => {
    const load = (policy: typeof DEFAULT_POLICY, providers = fx('providers.csv')) =>
      loadOptimizeInputs({ providers, routes: [fx('rib-alpha.txt'), fx('rib-beta.txt')], traffic: fx('traffic.csv'), performance: fx('perf.csv'), policy, maxBadShare: 0.5 }).catch((e: unknown) => e);
    const huge = { ...DEFAULT_POLICY, weights: { ...DEFAULT_POLICY.weights, rtt_ms: 1e308 } };
    const err = await load(huge);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^providers\.csv: must give scores below 1e\+15 together with the traffic and the policy .* the largest is Infinity, for .* via .*traffic\.csv/);
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), 'provider,asn,peer_ip,next_hop,capacity_mbps,commit_mbps,price_per_mbps\nalpha,64500,198.51.100.1,198.51.100.1,1e12,1e12,1e6\nbeta,64501,198.51.100.2,198.51.100.2,1000,0,0\n');
    const money = await load(DEFAULT_POLICY, { path: join(dir, 'p.csv'), label: 'p.csv' });
    expect(money).toBeInstanceOf(InputError);
    expect((money as InputError).message).toContain('for the money of alpha at capacity');
    // The defaults are far inside the range.
    expect(await load(DEFAULT_POLICY)).not.toBeInstanceOf(Error);
  });
});

describe('flow times without a zone', () => {
  it('are UTC whatever the machine zone (Date.parse would use the local one)', async () => {
    const { parseFlowTime } = await import('../../src/routes/flows.js');
    const utc = Date.UTC(2023, 10, 14, 22, 15, 1) / 1000;
    // Node applies a change of TZ at once; a zone other than UTC makes the test mean something on a UTC machine.
    const before = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(new Date(2023, 10, 14).getTimezoneOffset()).toBe(300);
      expect(parseFlowTime('2023-11-14T22:15:01')).toBe(utc);
      expect(parseFlowTime('2023-11-14 22:15:01')).toBe(utc);
      expect(parseFlowTime('2023-11-14T22:15:01Z')).toBe(utc);
      expect(parseFlowTime('2023-11-14T23:15:01+01:00')).toBe(utc);
      expect(parseFlowTime('1700000101')).toBe(1700000101);
      // Python's str(datetime) with microseconds and a zone.
      expect(parseFlowTime('2023-11-14 22:15:01.000000+00:00')).toBe(utc);
      expect(parseFlowTime('2023-11-14 23:15:01.500000+01:00')).toBe(utc + 0.5);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
