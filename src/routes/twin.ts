/**
 * The routes twin: a seeded, self-contained generator of a multihomed network
 * with 4 to 8 transit providers, their tables (bgpdump -m lines with
 * realistic prefix-length mixes and AS paths), a day of sampled flows with a
 * diurnal curve, probe results per prefix and provider, and scripted events:
 * one provider's latency rising by 60 ms (as in Internap's 120 -> 180 ms
 * story) and one provider's link failing (all its routes withdrawn, probes
 * lost).
 *
 * Not (yet) derived from the anycast twin in src/sim/: RTTs are drawn per
 * prefix (a distance-like base) times a per-(prefix, provider) path factor,
 * not computed from geography and AS relationships. Everything is a pure
 * function of the parameters; lines are produced lazily so large twins
 * stream to disk.
 */
import { formatIPv4, formatIPv6 } from './addr.js';
import type { ProviderSpec } from './model.js';
import { createRng, hash32, hashUnit, type Rng } from '../util/random.js';

export interface TwinParams {
  providers: number;
  prefixes: number;
  flows: number;
  seed: number;
}

export const TWIN_DAY_START = 1767225600; // 2026-01-01T00:00:00Z
export const TWIN_EVENT_TIME = TWIN_DAY_START + 14 * 3600;
export const TWIN_SAMPLING = 1000;
export const TWIN_LATENCY_RISE_MS = 60;

export interface TwinPrefix {
  text: string;
  family: 4 | 6;
  words: Uint32Array;
  length: number;
  origin: number;
}

export interface TwinEvent {
  kind: 'latency' | 'link-failure';
  provider: string;
  time: number;
  description: string;
}

export interface Twin {
  params: TwinParams;
  providers: ProviderSpec[];
  prefixes: TwinPrefix[];
  /** AS-path length per (prefix, provider); 0 = no route. */
  pathLen: Uint8Array;
  /** Base RTT in ms per (prefix, provider). */
  rtt: Float32Array;
  /** Relative traffic weight per prefix (sums to 1). */
  weight: Float64Array;
  /** Index of the provider whose latency rises, and of the one whose link fails. */
  degraded: number;
  failed: number;
  events: TwinEvent[];
}

const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

function pickLength(rng: Rng, family: 4 | 6): number {
  const x = rng.next();
  if (family === 4) {
    const table: Array<[number, number]> = [[0.55, 24], [0.63, 23], [0.73, 22], [0.78, 21], [0.84, 20], [0.88, 19], [0.95, 16 + rng.int(3)], [0.98, 12 + rng.int(4)], [1, 8 + rng.int(4)]];
    for (const [p, l] of table) if (x < p) return l;
    return 24;
  }
  const table: Array<[number, number]> = [[0.45, 48], [0.7, 32], [0.8, 40], [0.9, 44], [0.95, 36], [1, 29]];
  for (const [p, l] of table) if (x < p) return l;
  return 48;
}

function mask(words: Uint32Array, length: number, nWords: number): void {
  for (let k = 0; k < nWords; k++) {
    const keep = Math.max(0, Math.min(32, length - 32 * k));
    words[k] = keep === 0 ? 0 : keep === 32 ? words[k] : (words[k] & ~(0xffffffff >>> keep)) >>> 0;
  }
}

export function generateTwin(params: TwinParams): Twin {
  const rng = createRng(params.seed);
  const m = params.providers;
  const providers: ProviderSpec[] = [];
  for (let j = 0; j < m; j++) {
    const capacity = [10000, 10000, 10000, 20000, 10000, 10000, 20000, 10000][j];
    providers.push({
      name: `transit-${NAMES[j]}`,
      asn: 64510 + j,
      peerIp: `192.0.2.${j + 1}`,
      nextHop: `192.0.2.${j + 1}`,
      nextHopV6: `2001:db8:ffff::${j + 1}`,
      capacityMbps: capacity,
      commitMbps: capacity / 5,
      pricePerMbps: Number((0.25 + 0.1 * ((j * 7) % 5)).toFixed(2)),
      overagePricePerMbps: Number((0.4 + 0.15 * ((j * 3) % 4)).toFixed(2)),
    });
  }
  const prng = rng.fork('prefixes');
  const seen = new Set<string>();
  const prefixes: TwinPrefix[] = [];
  while (prefixes.length < params.prefixes) {
    const family: 4 | 6 = prng.next() < 0.15 ? 6 : 4;
    const length = pickLength(prng, family);
    const words = new Uint32Array(4);
    if (family === 4) {
      let first = 1 + prng.int(223);
      if (first === 10 || first === 127 || first === 100 || first === 192) first = 45;
      words[0] = ((first << 24) | (prng.int(1 << 24) & 0xffffff)) >>> 0;
      mask(words, length, 1);
    } else {
      words[0] = (0x20010000 | (0x0400 + prng.int(0x2c00))) >>> 0;
      words[1] = prng.int(4294967296) >>> 0;
      words[2] = prng.int(4294967296) >>> 0;
      mask(words, length, 4);
    }
    const text = `${family === 4 ? formatIPv4(words[0]) : formatIPv6(words)}/${length}`;
    if (seen.has(text)) continue;
    seen.add(text);
    prefixes.push({ text, family, words, length, origin: 131072 + prng.int(200000) });
  }
  const n = prefixes.length;
  const pathLen = new Uint8Array(n * m);
  const rtt = new Float32Array(n * m);
  const rrng = rng.fork('routes');
  // Provider quality: a per-provider factor; the degraded provider is a good one
  // (it attracts traffic before the event).
  const quality = Array.from({ length: m }, () => 0.85 + 0.35 * rrng.next());
  const degraded = quality.indexOf(Math.min(...quality));
  let failed = (degraded + 1 + rrng.int(m - 1)) % m;
  if (failed === degraded) failed = (degraded + 1) % m;
  for (let i = 0; i < n; i++) {
    const base = 40 + 140 * Math.pow(rrng.next(), 1.3);
    let any = false;
    for (let j = 0; j < m; j++) {
      const has = rrng.next() < 0.96;
      if (!has) continue;
      any = true;
      pathLen[i * m + j] = 2 + Math.min(5, Math.floor(-Math.log(1 - rrng.next()) * 1.3));
      rtt[i * m + j] = base * quality[j] * (0.9 + 0.35 * rrng.next());
    }
    if (!any) {
      const j = rrng.int(m);
      pathLen[i * m + j] = 3;
      rtt[i * m + j] = base * quality[j];
    }
  }
  // Zipf-like traffic weights over a random ranking.
  const wrng = rng.fork('weights');
  const rank = Array.from({ length: n }, (_, i) => i);
  wrng.shuffle(rank);
  const weight = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) {
    const w = 1 / Math.pow(r + 3, 0.85);
    weight[rank[r]] = w;
    sum += w;
  }
  for (let i = 0; i < n; i++) weight[i] /= sum;
  const events: TwinEvent[] = [
    {
      kind: 'latency',
      provider: providers[degraded].name,
      time: TWIN_EVENT_TIME,
      description: `14:00 UTC: latency through ${providers[degraded].name} rises by ${TWIN_LATENCY_RISE_MS} ms on every prefix`,
    },
    {
      kind: 'link-failure',
      provider: providers[failed].name,
      time: TWIN_EVENT_TIME + 3600,
      description: `15:00 UTC: the link to ${providers[failed].name} fails (all its routes withdrawn, probes lost)`,
    },
  ];
  return { params, providers, prefixes, pathLen, rtt, weight, degraded, failed, events };
}

/** The AS path provider j announces for prefix i. */
function asPath(twin: Twin, i: number, j: number): string {
  const len = twin.pathLen[i * twin.providers.length + j];
  const hops: number[] = [twin.providers[j].asn];
  for (let k = 1; k < len - 1; k++) hops.push(1000 + (hash32(i, j, k, twin.params.seed) % 60000));
  hops.push(twin.prefixes[i].origin);
  return hops.join(' ');
}

export function* ribLines(twin: Twin, j: number): Generator<string> {
  const p = twin.providers[j];
  const m = twin.providers.length;
  for (let i = 0; i < twin.prefixes.length; i++) {
    if (twin.pathLen[i * m + j] === 0) continue;
    yield `TABLE_DUMP2|${TWIN_DAY_START}|B|${p.peerIp}|${p.asn}|${twin.prefixes[i].text}|${asPath(twin, i, j)}|IGP|${p.peerIp}|0|0||NAG||`;
  }
}

/** BGP4MP withdrawals of every route of the failed provider. */
export function* failureUpdateLines(twin: Twin): Generator<string> {
  const j = twin.failed;
  const p = twin.providers[j];
  const m = twin.providers.length;
  const t = twin.events[1].time;
  for (let i = 0; i < twin.prefixes.length; i++) {
    if (twin.pathLen[i * m + j] === 0) continue;
    yield `BGP4MP|${t}|W|${p.peerIp}|${p.asn}|${twin.prefixes[i].text}`;
  }
}

function diurnal(tOfDay: number): number {
  // Peak around 20:00 UTC, trough around 08:00; between 0.4 and 1.6.
  return 1 + 0.6 * Math.sin((2 * Math.PI * (tOfDay - 14 * 3600)) / 86400);
}

/** Mean total rate of the twin's traffic in Mbps (before sampling). */
export const TWIN_TOTAL_MBPS = 16000;

/** Plain-CSV flow lines `time,dst_addr,bytes,packets,sampling_rate` over the day, time-ordered. */
export function* flowLines(twin: Twin): Generator<string> {
  const rng = createRng(hash32(twin.params.seed, 0xf10));
  const n = twin.prefixes.length;
  const cum = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cum[i] = s += twin.weight[i];
  const F = twin.params.flows;
  const bytesPerFlow = (TWIN_TOTAL_MBPS * 1e6 * 86400) / 8 / F / TWIN_SAMPLING;
  const step = 86400 / F;
  for (let f = 0; f < F; f++) {
    const t = TWIN_DAY_START + f * step;
    const x = rng.next() * s;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    const p = twin.prefixes[lo];
    let addr: string;
    if (rng.next() < 0.003) addr = `10.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`; // unrouted
    else if (p.family === 4) {
      const host = p.length >= 32 ? 0 : rng.int(2 ** (32 - p.length));
      addr = formatIPv4((p.words[0] + host) >>> 0);
    } else {
      const w = p.words.slice();
      w[3] = rng.int(4294967296) >>> 0;
      if (p.length < 64) w[2] = (w[2] | (rng.int(4294967296) & (0xffffffff >>> Math.max(0, p.length - 64)))) >>> 0;
      addr = formatIPv6(w);
    }
    const bytes = Math.max(64, Math.round(bytesPerFlow * diurnal(t - TWIN_DAY_START) * Math.exp(0.5 * rng.normal() - 0.125)));
    yield `${t.toFixed(3)},${addr},${bytes},${Math.max(1, Math.round(bytes / 900))},${TWIN_SAMPLING}`;
  }
}

export type ProbeWindow = 'before' | 'after-latency' | 'after-failure';

/** Probe results `time,prefix,provider,rtt_ms,loss_pct,jitter_ms` for a window of the day. */
export function* perfLines(twin: Twin, window: ProbeWindow): Generator<string> {
  const m = twin.providers.length;
  const start = window === 'before' ? TWIN_EVENT_TIME - 3600 : window === 'after-latency' ? TWIN_EVENT_TIME : TWIN_EVENT_TIME + 3600;
  const rounds = window === 'before' ? 4 : 2;
  for (let i = 0; i < twin.prefixes.length; i++) {
    for (let j = 0; j < m; j++) {
      if (twin.pathLen[i * m + j] === 0) continue;
      for (let r = 0; r < rounds; r++) {
        const t = start + r * 300 + (hash32(i, j, r) % 240);
        const u = hashUnit(i, j, r, twin.params.seed);
        const v = hashUnit(j, i, r, twin.params.seed + 1);
        let rtt = twin.rtt[i * m + j] * (0.97 + 0.06 * u);
        if (window !== 'before' && j === twin.degraded) rtt += TWIN_LATENCY_RISE_MS;
        const loss = v < 0.9 ? 0 : v < 0.98 ? 0.5 : 2;
        if (window === 'after-failure' && j === twin.failed) {
          yield `${t},${twin.prefixes[i].text},${twin.providers[j].name},,100,`;
          continue;
        }
        const jitter = rtt * 0.02 * (0.5 + v);
        yield `${t},${twin.prefixes[i].text},${twin.providers[j].name},${rtt.toFixed(2)},${loss},${jitter.toFixed(2)}`;
      }
    }
  }
}
