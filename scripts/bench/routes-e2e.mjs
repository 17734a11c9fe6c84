// Benchmark: `anyopt routes optimize` end to end at the scale: 8 provider tables of the
// routes twin (800,000 prefixes, nearly all routed by every provider), traffic for the
// 100,000 busiest prefixes, one probe result per prefix and provider. Runs the built CLI in a
// child process (wall time and peak RSS from /usr/bin/time). Data cached in $TMPDIR.
// Usage: npm run build && node scripts/bench/routes-e2e.mjs [--runs N] [--method lagrange|lp|auto]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, mb, median, writeLines } from './routes-common.mjs';
import { generateTwin, ribLines } from '../../dist/routes/twin.js';

const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const runs = Number(arg('--runs', 3));
const method = arg('--method', 'auto');
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(tmpdir(), 'anyopt-routes-e2e');
mkdirSync(dir, { recursive: true });
const params = { providers: 8, prefixes: 800_000, flows: 1000, seed: 2 };
const traffic = join(dir, 'traffic.csv');
if (!existsSync(traffic)) {
  console.log('writing benchmark data (once)...');
  const twin = generateTwin(params);
  const m = twin.providers.length;
  await writeLines(join(dir, 'providers.csv'), 'provider,asn,peer_ip,next_hop,next_hop_v6,capacity_mbps,commit_mbps,price_per_mbps,overage_price_per_mbps',
    twin.providers.map((p) => [p.name, p.asn, p.peerIp, p.nextHop, p.nextHopV6, p.capacityMbps * 20, p.commitMbps * 20, p.pricePerMbps, p.overagePricePerMbps].join(',')));
  for (let j = 0; j < m; j++) await writeLines(join(dir, `rib-${j}.txt`), undefined, ribLines(twin, j));
  // The 100,000 prefixes with the largest weights carry traffic (total 300 Gbps mean).
  const order = Array.from(twin.weight.keys()).sort((a, b) => twin.weight[b] - twin.weight[a]).slice(0, 100_000);
  let sum = 0;
  for (const i of order) sum += twin.weight[i];
  await writeLines(traffic, 'prefix,mean_mbps,p95_mbps,flow_records,peak_mbps', order.map((i) => {
    const mean = (300000 * twin.weight[i]) / sum;
    return `${twin.prefixes[i].text},${mean.toFixed(3)},${(mean * 1.6).toFixed(3)},100,${(mean * 1.5).toFixed(3)}`;
  }));
  function* perf() {
    for (const i of order) for (let j = 0; j < m; j++) if (twin.pathLen[i * m + j]) yield `1767276000,${twin.prefixes[i].text},${twin.providers[j].name},${twin.rtt[i * m + j].toFixed(2)},0,1`;
  }
  await writeLines(join(dir, 'perf.csv'), 'time,prefix,provider,rtt_ms,loss_pct,jitter_ms', perf());
}
const ribs = Array.from({ length: 8 }, (_, j) => join(dir, `rib-${j}.txt`));
console.log(`machine: ${machine()}`);
console.log(`inputs: 8 tables (${mb(ribs.reduce((s, f) => s + statSync(f).size, 0))}, ${readFileSync(ribs[0], 'utf8').split('\n').length - 1} lines in the first), traffic.csv 100,000 prefixes, perf.csv ${mb(statSync(join(dir, 'perf.csv')).size)}; method ${method}`);
const times = [];
const rss = [];
let json;
for (let r = 0; r < runs; r++) {
  const out = execFileSync(process.execPath, [join(root, 'bin/anyopt.js'), 'routes', 'optimize', '--routes', ...ribs, '--providers', join(dir, 'providers.csv'),
    '--traffic', traffic, '--performance', join(dir, 'perf.csv'), '--method', method, '--max-changes', '100000', '--out', join(dir, 'plan.csv'), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
  json = JSON.parse(out);
  times.push(json.read_seconds + json.solve_seconds);
}
// Peak memory: one more run under /usr/bin/time -v.
const p = spawnSync('/usr/bin/time', ['-v', process.execPath, join(root, 'bin/anyopt.js'), 'routes', 'optimize', '--routes', ...ribs, '--providers', join(dir, 'providers.csv'),
  '--traffic', traffic, '--performance', join(dir, 'perf.csv'), '--method', method, '--max-changes', '100000', '--out', join(dir, 'plan.csv')], { encoding: 'utf8' });
const wall = /Elapsed \(wall clock\) time.*: (\S+)/.exec(p.stderr)?.[1];
const maxKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(p.stderr)?.[1]);
rss.push(maxKb / 1024);
console.log(`read + solve: median ${median(times).toFixed(1)} s (runs ${times.map((x) => x.toFixed(1)).join(', ')}); last run read ${json.read_seconds.toFixed(1)} s, solve ${json.solve_seconds.toFixed(1)} s`);
console.log(`method ${json.method}, ${json.status}, gap to LP bound ${(json.gap * 100).toFixed(3)}%, ${json.prefixes} prefixes planned, ${json.changed_from_before} changed`);
console.log(`whole process (extra run): wall ${wall}, peak RSS ${rss[0].toFixed(0)} MB`);
