/**
 * `anyopt evaluate`: score orders.csv + rtt.csv against the twin's ground
 * truth for random subsets (core: src/evaluate/evaluate.ts; catchments from
 * src/sim).
 */
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import { readPreferenceModel } from '../../io/orders.js';
import { failOnIssues } from '../../io/csv.js';
import { UsageError } from '../../io/issues.js';
import { computeCatchment } from '../../sim/index.js';
import { checkTwin, loadTwin } from '../scenario.js';
import { evaluateAgainstTwin, type EvaluationReport } from '../../evaluate/evaluate.js';
import { expected, intOption, numberOption, pathOption, requiredOption, seedOption } from '../options.js';
import { printJson, withCsvSink } from '../output.js';
import { startProgress } from '../progress.js';
import { fmtMs, pct, table } from '../render.js';

interface EvaluateFlags {
  scenario?: string;
  orders?: string;
  rtt?: string;
  subsets?: string;
  seed?: string;
  minSize?: string;
  maxSize?: string;
  minAccuracy?: string;
  out?: string;
  json?: boolean;
}

export const SUBSET_SCORES_HEADER = 'subset,sites,accuracy,mean_abs_error_ms,true_mean_rtt_ms,predicted_mean_rtt_ms\n';

export function registerEvaluate(program: Command, host: CommandHost): void {
  const { ctx } = host;
  program
    .command('evaluate')
    .description('score predicted catchments and RTTs against the twin for random subsets of sites')
    .option('--scenario <dir>', 'scenario folder (anyopt sim init)')
    .option('--orders <file>', 'orders.csv (anyopt orders)')
    .option('--rtt <file>', 'rtt.csv (anyopt orders --rtt-out)')
    .option('--subsets <n>', 'number of random subsets', '40')
    .option('--seed <n>', 'seed for drawing the subsets', '1')
    .option('--min-size <n>', 'smallest subset', '2')
    .option('--max-size <n>', 'largest subset (default: all sites)')
    .option('--min-accuracy <x>', 'exit 1 when catchment accuracy is below x (0..1)')
    .option('--out <file>', 'per-subset scores as CSV (default: stdout)')
    .option('--json', 'print the report as JSON on stdout (then --out is required)')
    .addHelpText(
      'after',
      `
Example:
  $ anyopt evaluate --scenario scenario --orders orders.csv --rtt rtt.csv --subsets 40 --seed 7
`,
    )
    .action(
      host.action(async (flags: EvaluateFlags) => {
        const scenarioDir = requiredOption('--scenario', flags.scenario);
        const ordersFile = requiredOption('--orders', flags.orders);
        const subsets = intOption('--subsets', flags.subsets, { min: 1 });
        const seed = seedOption(flags.seed);
        const minSize = intOption('--min-size', flags.minSize, { min: 1 });
        const maxSize = flags.maxSize === undefined ? undefined : intOption('--max-size', flags.maxSize, { min: minSize });
        const minAccuracy = flags.minAccuracy === undefined ? undefined : numberOption('--min-accuracy', flags.minAccuracy, { min: 0, max: 1 });
        if (flags.json && (flags.out === undefined || flags.out === '-')) throw new UsageError('`--json` prints the report on stdout: give `--out FILE` for the per-subset CSV');

        const { model, issues } = await readPreferenceModel(
          pathOption(ctx.cwd, ordersFile),
          flags.rtt === undefined ? undefined : pathOption(ctx.cwd, flags.rtt),
          { orders: ordersFile, rtt: flags.rtt },
        );
        failOnIssues(issues);
        const { scenario, twin } = await loadTwin(ctx, scenarioDir);
        checkTwin(ctx, twin, scenarioDir, model.siteIds);
        const unknownSites = model.siteIds.filter((s) => !twin.siteIds.includes(s));
        if (unknownSites.length > 0) throw new UsageError(`${ordersFile} names sites the scenario ${scenarioDir} does not have: ${unknownSites.join(', ')}`);
        const twinTargets = new Set(twin.targetIds);
        const matched = model.targetIds.filter((t) => twinTargets.has(t)).length;
        if (matched === 0) throw new UsageError(`no target of ${ordersFile} is a target of the scenario ${scenarioDir}`);
        const S = model.siteIds.length;
        if (minSize > S && (S >= 2 || flags.minSize !== '2')) throw expected('--min-size', `at most ${S} (the sites of ${ordersFile})`, minSize);
        if (maxSize !== undefined && maxSize > S) throw expected('--max-size', `at most ${S} (the sites of ${ordersFile})`, maxSize);

        const bar = startProgress(ctx, 'evaluate', subsets);
        const report = evaluateAgainstTwin(
          model,
          { siteIds: twin.siteIds, targetIds: twin.targetIds, targetWeight: twin.targetWeight, catchment: (sites) => computeCatchment(twin, { sites }) },
          { subsets, seed, minSize, maxSize, onProgress: (d) => bar.update(d) },
        );
        bar.stop();

        await withCsvSink(ctx, flags.out, async (sink) => {
          await sink.write(SUBSET_SCORES_HEADER);
          let chunk = '';
          report.perSubset.forEach((s, i) => {
            chunk += `${i + 1},${s.sites.join('|')},${round(s.accuracy, 5)},${round(s.meanAbsErrorMs, 3)},${round(s.trueMeanRttMs, 3)},${round(s.predictedMeanRttMs, 3)}\n`;
          });
          await sink.write(chunk);
        });
        if (flags.json) printJson(ctx, { targets: { model: model.targetIds.length, matched }, ...report });
        ctx.stderr.write(renderReport(report, model.targetIds.length, matched, ctx.color.bold, twin.targetIds.length) + '\n');
        if (minAccuracy !== undefined && !(report.accuracy >= minAccuracy)) {
          ctx.stderr.write(ctx.color.red(`accuracy ${accuracyText(report.accuracy, minAccuracy)} is below --min-accuracy ${accuracyText(minAccuracy, report.accuracy)}\n`));
          return 1;
        }
        return 0;
      }),
    );
}

function round(x: number, digits: number): string {
  if (!Number.isFinite(x)) return '';
  const f = 10 ** digits;
  return String(Math.round(x * f) / f);
}

export function renderReport(r: EvaluationReport, modelTargets: number, matched: number, bold: (s: string) => string = (s) => s, twinTargets?: number): string {
  const rows = Object.entries(r.byStatus)
    .filter(([, v]) => v.compared > 0)
    .map(([s, v]) => [s, v.compared.toLocaleString('en-US'), pct(v.accuracy, 2)]);
  return [
    bold(
      `evaluate: ${r.subsets} random subsets, ${matched.toLocaleString('en-US')} of ${modelTargets.toLocaleString('en-US')} targets in the twin` +
        (twinTargets !== undefined && twinTargets > matched ? ` (the twin has ${twinTargets.toLocaleString('en-US')}: the ones orders.csv leaves out count as not predicted)` : ''),
    ),
    `catchment accuracy: ${pct(r.accuracy, 2)} (weighted by target weight ${pct(r.weightedAccuracy, 2)}), coverage ${pct(r.coverage, 2)} of answering targets`,
    `RTT error: mean ${fmtMs(r.rtt.meanAbsErrorMs)} (${pct(r.rtt.meanAbsErrorPct / 100, 2)} per target; mean RTT of a subset off by ${pct(r.rtt.meanRttErrorPct / 100, 2)})`,
    `absolute errors: median ${fmtMs(r.rtt.p50AbsErrorMs)}, p90 ${fmtMs(r.rtt.p90AbsErrorMs)}, p95 ${fmtMs(r.rtt.p95AbsErrorMs)}; ${pct(r.rtt.shareUnder8Ms)} under 8 ms`,
    table(['status', 'predictions', 'accuracy'], rows),
  ].join('\n');
}

/** A share in percent with as many decimals (2 to 6) as it takes to tell it from `other`. */
function accuracyText(x: number, other: number): string {
  let d = 2;
  while (d < 6 && pct(x, d) === pct(other, d)) d++;
  return pct(x, d);
}
