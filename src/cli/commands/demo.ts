/**
 * `anyopt demo`: the whole pipeline on the embedded default twin, in memory,
 * printing what each stage finds. With `--out DIR` every intermediate file is
 * kept there (scenario folder, observations, orders, plan) for inspection.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { writeScenario } from '../../io/scenario.js';
import {
  buildTwin,
  catchmentFromState,
  bestUnicast,
  computeCatchment,
  probeCatchment,
  DEFAULT_GENERATE,
  generateScenario,
  median,
  runAnnouncement,
  weightedMean,
} from '../../sim/index.js';
import type { Scenario } from '../../sim/scenario.js';
import type { CommandHost } from '../host.js';
import type { CliContext } from '../context.js';
import { intOption, pathOption, seedOption } from '../options.js';
import { printJson } from '../output.js';
import { fmt, fmtDuration, pct, table } from '../render.js';
import { catchmentSummary } from './sim.js';
import { planCampaign, experimentCount, expectedWallS } from '../../measure/plan.js';
import { runCampaign, type ExperimentResult } from '../../measure/runner.js';
import { observationsFromResults } from '../../measure/collect.js';
import { createSimDriver } from '../../drivers/sim.js';
import { VirtualClock } from '../../drivers/clock.js';
import { startProgress } from '../progress.js';
import { OBSERVATIONS_HEADER, formatObservationRows } from '../../io/observations.js';
import { OutputGroup } from '../../io/write.js';
import { inferOrders } from '../../orders/infer.js';
import { evaluateAgainstTwin, type EvaluationReport } from '../../evaluate/evaluate.js';
import { writeOrders, writeRtt } from '../../io/orders.js';
import { DEFAULT_UNCOVERED_MS, optimizeSites } from '../../optimize/optimize.js';
import { planToJson } from '../../io/plan.js';
import { planFileOf } from './optimize.js';
import { indicesOfSubset } from '../../optimize/evaluate.js';
import { measurePlans, type MeasuredPlan } from '../../optimize/groundtruth.js';
import { announcementSequence } from '../../predict/predict.js';

interface DemoOptions {
  out?: string;
  seed?: string;
  json?: boolean;
}

export function registerDemo(program: Command, host: CommandHost): void {
  program
    .command('demo')
    .description('the whole pipeline on the default twin: catchments, campaign, orders, prediction accuracy, best subset')
    .option('--out <dir>', 'keep every intermediate file in this folder')
    .option('--seed <n>', 'seed of the twin', String(DEFAULT_GENERATE.seed))
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ anyopt demo
  $ anyopt demo --out demo-files --seed 2`,
    )
    .action(host.action((opts: DemoOptions) => runDemo(host.ctx, opts)));
}

export interface DemoReport {
  scenario: { seed: number; ases: number; pops: number; sessions: number; sites: number; providers: number; targets: number };
  allSites: {
    reached: number;
    unreachable: number;
    medianRttMs: number;
    weightedMeanRttMs: number;
    perSite: Array<{ site: string; provider: string; targets: number; weightShare: number; medianRttMs: number }>;
  };
  bestUnicast: { medianRttMs: number; weightedMeanRttMs: number };
  campaign: { strategy: string; experiments: number; providerStrategyExperiments: number; testbedTimeS: number; wallS: number };
  prediction: { status: Record<string, number>; evaluation: EvaluationReport };
  optimize: { status: string; gap: number; predictedMeanMs: number; measured: MeasuredPlan[] };
}

async function runDemo(ctx: CliContext, opts: DemoOptions): Promise<number> {
  const seed = seedOption(opts.seed);
  const c = ctx.color;
  const say = (s: string) => ctx.stderr.write(s + '\n');
  const out = opts.out === undefined ? undefined : pathOption(ctx.cwd, opts.out);
  // --out: every file is written at the end, as one group (an interrupt leaves all old or all new).
  const writes: Array<(g: OutputGroup) => Promise<void>> = [];

  // 1. The twin.
  const scenario: Scenario = generateScenario({ ...DEFAULT_GENERATE, seed });
  const twin = buildTwin(scenario);
  if (out) writes.push((g) => writeScenario(join(out, 'scenario'), scenario, g));
  const providers = [...new Set(scenario.sites.map((s) => s.provider))];
  say(c.bold('1. The simulated Internet'));
  say(
    `   ${fmt(twin.asCount - 1)} ASes, ${fmt(twin.popCount - twin.siteIds.length)} PoPs (one border router per AS and metro), ` +
      `${fmt(twin.edgeCount / 2)} BGP sessions; ${twin.siteIds.length} anycast sites on ${providers.length} transit providers; ` +
      `${fmt(twin.targetIds.length)} client /24 targets`,
  );
  for (const p of providers) say(`   ${p}: ${scenario.sites.filter((s) => s.provider === p).map((s) => s.site).join(', ')}`);

  // 2. All sites announced: who lands where, at what RTT.
  const allState = runAnnouncement(twin, { sites: twin.siteIds });
  const all = catchmentFromState(allState);
  const sum = catchmentSummary(twin, all, twin.siteIds);
  say('');
  say(c.bold('2. Anycast from all sites (ground truth)'));
  say(
    indent(
      table(
        ['site', 'provider', 'targets', 'weight', 'median RTT'],
        sum.perSite.map((p, i) => [p.site, scenario.sites[i].provider, p.targets, pct(p.weightShare), p.targets > 0 ? `${p.medianRttMs.toFixed(1)} ms` : '-']),
      ),
    ),
  );
  const best = bestUnicast(twin);
  say(
    `   ${fmt(sum.reached)} targets reached (${fmt(sum.unreachable)} never answer); median RTT ${sum.medianRttMs.toFixed(1)} ms, ` +
      `weighted mean ${sum.weightedMeanRttMs.toFixed(1)} ms`,
  );
  say(
    `   if every client reached its lowest-latency site: median ${median(best.rttMs).toFixed(1)} ms, weighted mean ${weightedMean(twin, best).toFixed(1)} ms ` +
      `(${c.yellow(`${(sum.medianRttMs / median(best.rttMs)).toFixed(2)}x`)} path inflation: BGP picks by policy and path length, not latency)`,
  );

  // 3. The measurement campaign, on the twin with a virtual clock.
  const campaignSites = scenario.sites.map((x) => ({ site: x.site, provider: x.provider }));
  const campaign = planCampaign(campaignSites, { strategy: 'pairwise', spacingS: twin.knobs.announceSpacingS, settleS: 300 });
  const providerCount = experimentCount(campaignSites, 'provider');
  say('');
  say(c.bold('3. Measurement campaign (AnyOpt pairwise: every site alone, then every pair)'));
  say(
    `   ${campaign.experiments.length} experiments (the provider strategy needs ${providerCount}); on a real testbed ` +
      `about ${fmtDuration(expectedWallS(campaign.experiments))} of BGP convergence waits`,
  );
  const results: ExperimentResult[] = [];
  const bar = startProgress(ctx, 'experiments', campaign.experiments.length);
  const wall0 = ctx.now();
  const driver = createSimDriver({ twin, computeCatchment: computeCatchment, probeCatchment }, { seed });
  const run = await runCampaign(campaign, driver, {
    clock: new VirtualClock(),
    targetIds: twin.targetIds,
    onExperiment: (r) => {
      results.push(r);
      bar.update(results.length);
    },
  });
  bar.stop();
  const wallS = (ctx.now() - wall0) / 1000;
  const observations = observationsFromResults(campaignSites.map((x) => x.site), twin.targetIds, results);
  // Held as observations.csv writes them (0.01 ms), so `anyopt orders` on the written file gives
  // the same rtt.csv as the one the demo writes (medians of unrounded values differed by 0.01 ms).
  for (let i = 0; i < observations.rttMs.length; i++) {
    const r = observations.rttMs[i];
    if (r === r) observations.rttMs[i] = Math.round(r * 100) / 100;
  }
  const meanAnswered = run.answered.reduce((a, b) => a + b, 0) / Math.max(1, run.answered.length);
  say(
    `   ran in ${wallS.toFixed(1)} s on the twin (${fmtDuration(run.clockMs / 1000)} of simulated testbed time); ` +
      `${fmt(observations.rows)} observations, ${fmt(Math.round(meanAnswered))} targets answered per experiment on average (probe loss and jitter applied)`,
  );
  if (out) {
    writes.push(async (g) => {
      // 1.8 M rows: streamed an experiment at a time, not built as one string.
      const w = await g.open(join(out, 'observations.csv'));
      await w.write(OBSERVATIONS_HEADER);
      for (const r of results) await w.write(formatObservationRows(r.experiment.id, r.experiment.sites, twin.targetIds, observations.siteIds, r.result.site, r.result.rttMs));
      await g.file(join(out, 'campaign.json'), JSON.stringify(campaign, null, 2) + '\n');
    });
  }

  // 4. Preference orders, and predictions scored against the twin.
  const { model, stats: inferStats } = inferOrders(observations);
  const evalBar = startProgress(ctx, 'subsets', 40);
  const evaluation = evaluateAgainstTwin(
    model,
    { siteIds: twin.siteIds, targetIds: twin.targetIds, targetWeight: twin.targetWeight, catchment: (sites) => computeCatchment(twin, { sites }) },
    { subsets: 40, seed, onProgress: (d) => evalBar.update(d) },
  );
  evalBar.stop();
  say('');
  say(c.bold('4. Preference orders and predicted catchments'));
  const st = inferStats.status;
  say(`   orders for every answering target: ${fmt(st.total)} total, ${fmt(st.cyclic)} cyclic, ${fmt(st.partial)} partial (all predicted; AnyOpt dropped cyclic clients), ${fmt(st.unreachable)} unreachable`);
  say(
    `   against the twin on 40 random subsets: catchment accuracy ${c.green(pct(evaluation.accuracy, 2))} (AnyOpt reported 94.7%), ` +
      `coverage ${pct(evaluation.coverage, 1)}, mean RTT error ${evaluation.rtt.meanAbsErrorMs.toFixed(2)} ms (${pct(evaluation.rtt.meanAbsErrorPct / 100, 2)}), ` +
      `${pct(evaluation.rtt.shareUnder8Ms, 1)} of RTT errors under 8 ms`,
  );
  if (out) {
    writes.push(async (g) => {
      await writeOrders(model, await g.open(join(out, 'orders.csv')));
      await writeRtt(model, await g.open(join(out, 'rtt.csv')));
    });
  }

  // 5. The best subset, checked by announcing it in the twin.
  const twinIndex = new Map(twin.targetIds.map((t, i) => [t, i]));
  const weight = Float64Array.from(model.targetIds, (t) => twin.targetWeight[twinIndex.get(t) ?? -1] ?? 0);
  const opt = optimizeSites(model, weight, { objective: 'mean' });
  say('');
  say(c.bold('5. The best subset of sites (optimize), measured in the twin'));
  let optimizeReport: DemoReport['optimize'] = { status: 'infeasible', gap: Number.NaN, predictedMeanMs: Number.NaN, measured: [] };
  if (opt.kind === 'plan') {
    const names = (m: Uint8Array) => announcementSequence(model, indicesOfSubset(m).map((i) => model.siteIds[i]));
    const plans = [
      { name: 'optimized', sites: names(opt.subset) },
      { name: 'all sites', sites: names(opt.comparisons.allSites) },
      { name: 'greedy by unicast RTT (same size)', sites: names(opt.comparisons.greedyUnicast) },
    ];
    const measured = measurePlans(plans, (sites) => computeCatchment(twin, { sites }), Float64Array.from(twin.targetIds, (_, t) => twin.targetWeight[t]));
    say(
      indent(
        table(
          // Weighted by traffic, as the optimizer's objective (step 2's median is per target).
          ['plan', 'sites', 'weighted mean', 'weighted median', 'weighted p95'],
          measured.map((m) => [m.name, `${m.sites.length}`, `${m.meanMs.toFixed(1)} ms`, `${m.medianMs.toFixed(1)} ms`, `${m.p95Ms.toFixed(1)} ms`]),
          { align: ['l', 'r', 'r', 'r', 'r'] },
        ),
      ),
    );
    const dropped = twin.siteIds.filter((x) => !plans[0].sites.includes(x));
    say(
      `   ${opt.status === 'optimal' ? 'proven optimal' : `within ${pct(opt.gap, 2)} of the lower bound`} on the predicted mean (${opt.value.toFixed(1)} ms); ` +
        `announce ${plans[0].sites.join(',')}${dropped.length > 0 ? `, withdraw ${dropped.join(',')}` : ''}`,
    );
    say(
      `   measured in the twin: ${(measured[1].meanMs - measured[0].meanMs).toFixed(1)} ms better than all sites, ` +
        `${(measured[2].meanMs - measured[0].meanMs).toFixed(1)} ms better than AnyOpt's greedy comparator`,
    );
    optimizeReport = { status: opt.status, gap: opt.gap, predictedMeanMs: opt.value, measured };
    if (out) {
      // The plan as `anyopt optimize` writes it, so `anyopt validate --plan DIR/plan.json` reads it.
      const plan = planFileOf(model, weight, opt, {
        spacingS: 300,
        constraints: { k: null, maxSites: null, require: [], exclude: [], capacity: null, uncoveredMs: DEFAULT_UNCOVERED_MS },
        weightsPath: 'scenario/targets.csv',
      });
      writes.push((g) => g.file(join(out, 'plan.json'), planToJson(plan)));
    }
  } else {
    say(`   infeasible: ${opt.reason}`);
  }

  const report: DemoReport = {
    scenario: {
      seed,
      ases: twin.asCount - 1,
      pops: twin.popCount - twin.siteIds.length,
      sessions: twin.edgeCount / 2,
      sites: twin.siteIds.length,
      providers: providers.length,
      targets: twin.targetIds.length,
    },
    allSites: {
      reached: sum.reached,
      unreachable: sum.unreachable,
      medianRttMs: sum.medianRttMs,
      weightedMeanRttMs: sum.weightedMeanRttMs,
      perSite: sum.perSite.map((p, i) => ({ ...p, provider: scenario.sites[i].provider })),
    },
    bestUnicast: { medianRttMs: median(best.rttMs), weightedMeanRttMs: weightedMean(twin, best) },
    campaign: { strategy: 'pairwise', experiments: campaign.experiments.length, providerStrategyExperiments: providerCount, testbedTimeS: run.clockMs / 1000, wallS },
    prediction: { status: { ...inferStats.status }, evaluation },
    optimize: optimizeReport,
  };
  if (out) {
    const g = new OutputGroup();
    try {
      for (const write of writes) await write(g);
      await g.commit();
    } catch (err) {
      await g.abort();
      throw err;
    }
    say(`\nfiles kept in ${opts.out}/`);
  }
  if (opts.json) printJson(ctx, report);
  return 0;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `   ${l}`)
    .join('\n');
}
