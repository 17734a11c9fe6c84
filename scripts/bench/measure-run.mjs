#!/usr/bin/env node
// Benchmark of `anyopt measure run --driver sim` on the default twin (15 sites,
// 15,000 targets): the full pairwise campaign (120 experiments) with the
// virtual clock, (1) end to end as a user runs it (the built CLI: read the
// scenario, build the twin, run, write observations.csv), and (2) in process,
// split into ground-truth catchment time and observation writing rate.
// Run after `npm run build`:  node scripts/bench/measure-run.mjs [runs]
import os from 'node:os';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sim from '../../dist/sim/index.js';
import { planCampaign } from '../../dist/measure/plan.js';
import { runCampaign } from '../../dist/measure/runner.js';
import { campaignDigest, listDigest } from '../../dist/measure/campaign.js';
import { createSimDriver } from '../../dist/drivers/sim.js';
import { VirtualClock } from '../../dist/drivers/clock.js';
import { RunJournal } from '../../dist/io/campaign.js';
import { formatObservationRows } from '../../dist/io/observations.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

const { probeCatchment } = sim;

let t = performance.now();
const scenario = sim.generateScenario(sim.DEFAULT_GENERATE);
const twin = sim.buildTwin(scenario);
const twinMs = performance.now() - t;
const sites = scenario.sites.map((s) => ({ site: s.site, provider: s.provider }));
const campaign = planCampaign(sites, { strategy: 'pairwise', spacingS: 300, settleS: 300 });
const targetIds = twin.targetIds;
const siteIds = campaign.sites.map((s) => s.site);
console.log(`input: ${sites.length} sites, ${targetIds.length} targets, ${campaign.experiments.length} experiments (pairwise), ${campaign.experiments.length * targetIds.length} rows; twin generated and built in ${(twinMs / 1000).toFixed(2)} s (in-process figures below exclude it)`);

const dir = mkdtempSync(join(tmpdir(), 'anyopt-bench-'));
const cli = fileURLToPath(new URL('../../bin/anyopt.js', import.meta.url));
execFileSync(process.execPath, [cli, 'sim', 'init', '--out', join(dir, 'scenario')], { stdio: 'ignore' });
execFileSync(process.execPath, [cli, 'measure', 'plan', '--sites', join(dir, 'scenario/sites.csv'), '--out', join(dir, 'campaign.json')], { stdio: 'ignore' });
const cliS = [];
for (let r = 0; r < runs; r++) {
  const out = join(dir, `cli-${r}.csv`);
  const s = performance.now();
  execFileSync(process.execPath, [cli, 'measure', 'run', '--campaign', join(dir, 'campaign.json'), '--driver', 'sim', '--scenario', join(dir, 'scenario'), '--out', out], { stdio: 'ignore' });
  cliS.push((performance.now() - s) / 1000);
  console.log(`cli run ${r + 1}: ${cliS.at(-1).toFixed(2)} s (anyopt measure run, process start to exit)`);
  rmSync(out);
}
const meta = { format: 'anyopt-journal', version: 1, campaign: campaignDigest(campaign), targets: listDigest(targetIds), driver: 'sim', settings: { seed: 1 } };

const e2e = [];
const catchMs = [];
const writeRate = [];
for (let r = 0; r < runs; r++) {
  const out = join(dir, `obs-${r}.csv`);
  let simMs = 0;
  let writeMs = 0;
  t = performance.now();
  const journal = await RunJournal.open(out, meta, { resume: false });
  const timed = {
    twin,
    computeCatchment: (tw, spec) => {
      const s = performance.now();
      const c = sim.computeCatchment(tw, spec);
      simMs += performance.now() - s;
      return c;
    },
    probeCatchment,
  };
  await runCampaign(campaign, createSimDriver(timed, { seed: 1 }), {
    clock: new VirtualClock(),
    targetIds,
    onExperiment: async (x) => {
      const s = performance.now();
      const rows = formatObservationRows(x.experiment.id, x.experiment.sites, targetIds, siteIds, x.result.site, x.result.rttMs);
      await journal.append(x.experiment.id, rows, x.answered, targetIds.length);
      writeMs += performance.now() - s;
    },
  });
  await journal.finish();
  const total = performance.now() - t;
  e2e.push(total / 1000);
  catchMs.push(simMs / campaign.experiments.length);
  writeRate.push((campaign.experiments.length * targetIds.length) / (writeMs / 1000));
  console.log(`run ${r + 1}: ${(total / 1000).toFixed(2)} s end to end; ground-truth catchment ${(simMs / 1000).toFixed(2)} s (${(simMs / campaign.experiments.length).toFixed(0)} ms/experiment); writing ${(writeMs / 1000).toFixed(2)} s (${Math.round(writeRate.at(-1)).toLocaleString('en-US')} rows/s, ${(statSync(out).size / 2 ** 20).toFixed(0)} MiB)`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`median of ${runs}: CLI end to end ${median(cliS).toFixed(2)} s (target <= 30 s); in process ${median(e2e).toFixed(2)} s; catchment ${median(catchMs).toFixed(0)} ms/experiment; observations written at ${Math.round(median(writeRate)).toLocaleString('en-US')} rows/s (target >= 500,000), fsync per experiment included`);
