#!/usr/bin/env node
// Benchmark: one ground-truth catchment of the twin.
//   node scripts/bench/sim-catchment.mjs            default scenario (15 sites, 3,000 ASes, 15,000 targets)
//   node scripts/bench/sim-catchment.mjs --large    100 sites, 20,000 ASes, 1,000,000 targets
// Targets (issue 2): default at most 0.2 s; large at most 10 s and 4 GB.
// Run after `npm run build`; prints the machine, the sizes and medians.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario, buildTwin, computeCatchment, runAnnouncement } from '../../dist/sim/index.js';
import { readScenario, writeScenario } from '../../dist/io/scenario.js';
import { machine, median, time, timeAsync, peakRssMb } from './common.mjs';

const large = process.argv.includes('--large');
const opts = large ? { seed: 1, sites: 100, providers: 6, targets: 1_000_000, ases: 20_000 } : { seed: 1, sites: 15, providers: 6, targets: 15_000, ases: 3_000 };
const runs = large ? 3 : 20;
console.log(`machine: ${machine()}`);
console.log(`scenario: ${opts.sites} sites, ${opts.providers} providers, ${opts.ases.toLocaleString()} ASes, ${opts.targets.toLocaleString()} targets (seed ${opts.seed})`);

const [genMs, scenario] = time(() => generateScenario(opts));
const dir = mkdtempSync(join(tmpdir(), 'anyopt-bench-'));
const [writeMs] = await timeAsync(() => writeScenario(dir, scenario));
const [readMs, loaded] = await timeAsync(() => readScenario(dir));
const [buildMs, twin] = time(() => buildTwin(loaded));
console.log(`generate ${genMs.toFixed(0)} ms, write ${writeMs.toFixed(0)} ms, read+check ${readMs.toFixed(0)} ms, compile ${buildMs.toFixed(0)} ms`);
console.log(`twin: ${twin.asCount.toLocaleString()} ASes, ${twin.popCount.toLocaleString()} routers, ${twin.edgeCount.toLocaleString()} directed sessions`);

const all = twin.siteIds;
const times = [];
let messages = 0;
for (let i = 0; i < runs; i++) {
  const [ms, c] = time(() => computeCatchment(twin, { sites: all }));
  times.push(ms);
  if (i === 0) messages = runAnnouncement(twin, { sites: all }).messages;
  if (c.site.length !== opts.targets) throw new Error('wrong size');
}
const pairTimes = [];
for (let i = 0; i < Math.min(runs, 10); i++) pairTimes.push(time(() => computeCatchment(twin, { sites: [all[i % all.length], all[(i + 1) % all.length]] }))[0]);
console.log(`all-sites catchment: median ${median(times).toFixed(1)} ms over ${runs} runs (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}); ${messages.toLocaleString()} BGP updates`);
console.log(`pair catchment: median ${median(pairTimes).toFixed(1)} ms`);
console.log(`load + compile + one catchment: ${(readMs + buildMs + median(times)).toFixed(0)} ms`);
console.log(`peak RSS: ${peakRssMb().toFixed(0)} MB`);
rmSync(dir, { recursive: true, force: true });
