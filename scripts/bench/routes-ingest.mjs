// Benchmark: reading a full provider table (bgpdump -m, about 1M lines) and flow ingest with
// longest-prefix match (plain CSV, 3M records) against it. Data comes from the routes twin and
// is cached in $TMPDIR/anyopt-routes-bench (first run takes about a minute to write it).
// Usage: npm run build && node scripts/bench/routes-ingest.mjs [--runs N]
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, mb, median, writeLines } from './routes-common.mjs';
import { generateTwin, ribLines, flowLines } from '../../dist/routes/twin.js';
import { readRibFiles } from '../../dist/io/routes/rib.js';
import { readFlows } from '../../dist/io/routes/flows.js';
import { TrafficEstimator } from '../../dist/routes/traffic.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const dir = join(tmpdir(), 'anyopt-routes-bench');
mkdirSync(dir, { recursive: true });
const rib = join(dir, 'rib-1m.txt');
const flows = join(dir, 'flows-3m.csv');
const params = { providers: 8, prefixes: 1_000_000, flows: 3_000_000, seed: 1 };
if (!existsSync(rib) || !existsSync(flows)) {
  console.log('writing benchmark data (once)...');
  const twin = generateTwin(params);
  await writeLines(rib, undefined, ribLines(twin, 0));
  await writeLines(flows, 'time,dst_addr,bytes,packets,sampling_rate', flowLines(twin));
}
const twin0 = generateTwin({ ...params, prefixes: 10, flows: 10 });
const providers = [twin0.providers[0]];

console.log(`machine: ${machine()}`);
console.log(`inputs: ${rib} (${mb(statSync(rib).size)}), ${flows} (${mb(statSync(flows).size)}, 15% IPv6 prefixes, Zipf-like traffic over the whole table)`);

const ribTimes = [];
let table;
for (let r = 0; r < runs; r++) {
  const t = performance.now();
  const res = await readRibFiles([{ path: rib, label: 'rib' }], providers);
  ribTimes.push((performance.now() - t) / 1000);
  table = res.table;
}
console.log(`bgpdump -m: ${table.size.toLocaleString('en-US')} lines -> ${table.size.toLocaleString('en-US')} prefixes; median ${median(ribTimes).toFixed(2)} s (runs ${ribTimes.map((x) => x.toFixed(2)).join(', ')}), ${(table.size / median(ribTimes) / 1e6).toFixed(2)}M lines/s`);

let t = performance.now();
table.trie.lookup4(0);
table.trie.lookup6(0, 0, 0, 0);
console.log(`LPM tables compiled from the binary trie (${table.trie.nodes.toLocaleString('en-US')} nodes) in ${((performance.now() - t) / 1000).toFixed(2)} s`);

const rates = [];
const cpuRates = [];
let mem = [];
for (let r = 0; r < runs; r++) {
  const est = new TrafficEstimator(table.trie, table.size);
  const samples = [];
  const c0 = process.cpuUsage();
  t = performance.now();
  const res = await readFlows(flows, 'flows', est, { onRecords: (n) => samples.push([n, process.memoryUsage().rss]) });
  const wall = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(c0);
  const e = est.finish();
  rates.push(res.report.records / wall);
  cpuRates.push(res.report.records / ((cpu.user + cpu.system) / 1e6));
  mem = samples;
  if (r === 0) console.log(`flows: ${res.report.records.toLocaleString('en-US')} records, ${e.matched.toLocaleString('en-US')} matched, ${e.prefixIds.length.toLocaleString('en-US')} prefixes with traffic, ${res.report.issues.total} unreadable`);
}
console.log(`flow ingest with LPM: median ${(median(rates) / 1e6).toFixed(2)}M records/s wall (runs ${rates.map((x) => (x / 1e6).toFixed(2)).join(', ')}), ${(median(cpuRates) / 1e6).toFixed(2)}M records/s per CPU second`);
console.log(`RSS while ingesting (records: MB): ${mem.filter((_, k) => k % 4 === 3).map(([n, rss]) => `${(n / 1e6).toFixed(1)}M: ${(rss / 2 ** 20).toFixed(0)}`).join(', ')}`);
