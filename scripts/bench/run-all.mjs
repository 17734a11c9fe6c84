#!/usr/bin/env node
// `npm run bench`: build, then run every benchmark at its issue's scale, one after another
// (they compete for the two cores otherwise). Each script prints the machine and its sizes.
// Large runs take a while (routes ones generate full tables first); pass names to run a subset:
//   npm run bench -- sim measure
import { spawnSync } from 'node:child_process';

const ALL = [
  ['sim', ['scripts/bench/sim-catchment.mjs']],
  ['sim-large', ['--max-old-space-size=8000', 'scripts/bench/sim-catchment.mjs', '--large']],
  ['measure', ['scripts/bench/measure-run.mjs', '5']],
  ['orders', ['scripts/bench/orders-accuracy.mjs']],
  ['predict', ['scripts/bench/predict-speed.mjs']],
  ['optimize-twin', ['scripts/bench/optimize-twin.mjs']],
  ['optimize-scale', ['scripts/bench/optimize-scale.mjs']],
  ['optimize-twin200', ['--max-old-space-size=8000', 'scripts/bench/optimize-twin200.mjs']],
  ['routes-ingest', ['scripts/bench/routes-ingest.mjs']],
  ['routes-optimize', ['scripts/bench/routes-optimize.mjs']],
  ['routes-e2e', ['scripts/bench/routes-e2e.mjs']],
];

const wanted = process.argv.slice(2);
const run = wanted.length > 0 ? ALL.filter(([name]) => wanted.includes(name)) : ALL;
if (run.length === 0) {
  console.error(`unknown benchmark; choose from: ${ALL.map(([n]) => n).join(', ')}`);
  process.exit(2);
}
const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
let failed = 0;
for (const [name, args] of run) {
  console.log(`\n=== ${name}: node ${args.join(' ')}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`=== ${name} exited ${r.status}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
