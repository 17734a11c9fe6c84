/**
 * `anyopt predict`: catchment, RTT and confidence of every target for a subset
 * of sites (or a what-if table over many subsets) from orders.csv + rtt.csv
 * (core: src/predict/predict.ts).
 */
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import { readPreferenceModel } from '../../io/orders.js';
import { failOnIssues } from '../../io/csv.js';
import { readTargetWeights } from '../../io/plan.js';
import { forEachLine } from '../../io/lines.js';
import { InputError, UsageError, type InputIssue } from '../../io/issues.js';
import { unrankedSites, type PreferenceModel } from '../../orders/model.js';
import { unrankedNote } from './optimize.js';
import { roundMs } from '../../util/ms.js';
import { announcedMask, announcementSequence, predictSubset, summarizeSubset, SummaryScratch, type PredictionSummary } from '../../predict/predict.js';
import { PREDICTED_HEADER, WHATIF_HEADER, formatPredictionRows, formatWhatIfRow } from '../../predict/csv.js';
import { listOption, numberOption, pathOption, requiredOption } from '../options.js';
import { printJson, withCsvSink } from '../output.js';
import { startProgress } from '../progress.js';
import { fmtMs, pct, table } from '../render.js';

interface PredictFlags {
  orders?: string;
  rtt?: string;
  sites?: string;
  subsets?: string;
  weights?: string;
  out?: string;
  lowConfidence?: string;
  json?: boolean;
}

export function registerPredict(program: Command, host: CommandHost): void {
  const { ctx } = host;
  program
    .command('predict')
    .description('predict the catchment and RTT of every target for a subset of sites (or many subsets)')
    .option('--orders <file>', 'orders.csv (anyopt orders)')
    .option('--rtt <file>', 'rtt.csv (anyopt orders --rtt-out)')
    .option('--sites <list>', 'the announced sites, comma-separated: ams,syd,lhr')
    .option('--subsets <file>', 'many subsets, one a line (sites separated by commas, | or spaces): a what-if table')
    .option('--weights <file>', 'targets.csv with columns target,weight (default: every target weighs 1)')
    .option('--out <file>', 'predicted.csv (or the what-if table with --subsets); default stdout')
    .option('--low-confidence <x>', 'count predictions with confidence below x', '0.5')
    .option('--json', 'print the summary as JSON on stdout (then --out is required)')
    .addHelpText(
      'after',
      `
Examples:
  $ anyopt predict --orders orders.csv --rtt rtt.csv --sites ams,syd,lhr --out predicted.csv
  $ anyopt predict --orders orders.csv --rtt rtt.csv --subsets subsets.txt --weights scenario/targets.csv --out whatif.csv
`,
    )
    .action(
      host.action(async (flags: PredictFlags) => {
        const ordersFile = requiredOption('--orders', flags.orders);
        const lowConfidence = numberOption('--low-confidence', flags.lowConfidence, { min: 0, max: 1 });
        if ((flags.sites === undefined) === (flags.subsets === undefined)) throw new UsageError('Expected exactly one of `--sites` or `--subsets`');
        if (flags.json && (flags.out === undefined || flags.out === '-')) throw new UsageError('`--json` prints the summary on stdout: give `--out FILE` for the CSV');
        const { model, issues } = await readPreferenceModel(
          pathOption(ctx.cwd, ordersFile),
          flags.rtt === undefined ? undefined : pathOption(ctx.cwd, flags.rtt),
          { orders: ordersFile, rtt: flags.rtt },
        );
        failOnIssues(issues);
        const unranked = unrankedSites(model);
        if (unranked.length > 0) ctx.stderr.write(`warning: ${unrankedNote(unranked, ordersFile)}\n`);
        let weights: Float64Array | undefined;
        if (flags.weights !== undefined) {
          const w = await readTargetWeights(pathOption(ctx.cwd, flags.weights), model.targetIds, flags.weights, ordersFile);
          if (w.missing > 0) ctx.stderr.write(`warning: ${flags.weights} gives no weight for ${w.missing} of ${model.targetIds.length} targets: they weigh 0\n`);
          weights = w.weight;
        }

        if (flags.sites !== undefined) {
          const subset = listOption('--sites', flags.sites);
          const unknown = subset.filter((s) => !model.siteIds.includes(s));
          if (unknown.length > 0) throw new UsageError(`Expected \`--sites\` to name sites of ${ordersFile} (${model.siteIds.join(', ')}), got \`${unknown.join(',')}\``);
          const mask = announcedMask(model, subset);
          const p = predictSubset(model, mask);
          const summary = summarizeSubset(model, mask, { weights, lowConfidence });
          await withCsvSink(ctx, flags.out, async (sink) => {
            await sink.write(PREDICTED_HEADER);
            for (let t = 0; t < model.targetIds.length; t += 4096) await sink.write(formatPredictionRows(model, p, t, Math.min(model.targetIds.length, t + 4096)));
          });
          const sequence = announcementSequence(model, subset);
          if (flags.json) printJson(ctx, { sites: subset, announceSequence: sequence, ...summaryJson(summary) });
          ctx.stderr.write(renderSummary(subset, sequence, summary, lowConfidence, ctx.color.bold, flags.rtt !== undefined, model.announceOrder.length > 0, ordersFile) + '\n');
          return 0;
        }

        const subsets = await readSubsets(pathOption(ctx.cwd, flags.subsets!), flags.subsets!, model);
        const scratch = new SummaryScratch(model.siteIds.length);
        const summaries: PredictionSummary[] = [];
        const bar = startProgress(ctx, 'predict', subsets.length);
        await withCsvSink(ctx, flags.out, async (sink) => {
          await sink.write(WHATIF_HEADER);
          let chunk = '';
          for (let i = 0; i < subsets.length; i++) {
            const s = summarizeSubset(model, announcedMask(model, subsets[i]), { weights, lowConfidence, scratch });
            summaries.push(s);
            chunk += formatWhatIfRow(i + 1, subsets[i], s);
            if (chunk.length > 1 << 16) {
              await sink.write(chunk);
              chunk = '';
            }
            if (i % 50 === 0) bar.update(i);
          }
          if (chunk) await sink.write(chunk);
        });
        bar.stop();
        if (flags.json) printJson(ctx, subsets.map((sites, i) => ({ sites, ...summaryJson(summaries[i]) })));
        // The lowest mean among subsets that have one (a subset with no known RTT has none).
        let best = -1;
        for (let i = 0; i < summaries.length; i++) if (Number.isFinite(summaries[i].meanRttMs) && (best < 0 || summaries[i].meanRttMs < summaries[best].meanRttMs)) best = i;
        ctx.stderr.write(
          `${ctx.color.bold(`predict: ${subsets.length} subsets x ${model.targetIds.length.toLocaleString('en-US')} targets`)}\n` +
            (best >= 0 ? `lowest mean RTT: subset ${best + 1} (${subsets[best].join(',')}): ${fmtMs(summaries[best].meanRttMs)}\n` : ''),
        );
        return 0;
      }),
    );
}

async function readSubsets(path: string, label: string, model: PreferenceModel): Promise<string[][]> {
  const known = new Set(model.siteIds);
  const out: string[][] = [];
  const issues: InputIssue[] = [];
  await forEachLine(path, label, (line, lineNo) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const sites = text.split(/[\s,|]+/).filter((s) => s !== '');
    if (sites.length === 0) {
      issues.push({ file: label, line: lineNo, expected: 'must name at least one site (a line of separators only)', received: text });
      return;
    }
    const bad = sites.filter((s) => !known.has(s));
    if (bad.length > 0) {
      issues.push({ file: label, line: lineNo, expected: `must list sites of the model (${model.siteIds.slice(0, 20).join(', ')})`, received: bad.join(',') });
      return;
    }
    if (new Set(sites).size !== sites.length) {
      issues.push({ file: label, line: lineNo, expected: 'must list each site once', received: text });
      return;
    }
    out.push(sites);
  });
  if (issues.length > 0) throw new InputError(issues.slice(0, 20), issues.length);
  if (out.length === 0) throw InputError.single({ file: label, expected: 'must list at least one subset' });
  return out;
}

/** The summary for --json, RTTs to 0.001 ms (roundMs). */
function summaryJson(s: PredictionSummary): PredictionSummary {
  const ms = (x: number) => (Number.isFinite(x) ? roundMs(x) : x);
  return { ...s, meanRttMs: ms(s.meanRttMs), medianRttMs: ms(s.medianRttMs), p90RttMs: ms(s.p90RttMs), p95RttMs: ms(s.p95RttMs) };
}

function renderSummary(subset: string[], sequence: string[], s: PredictionSummary, low: number, bold: (x: string) => string, haveRtt: boolean, knownOrder: boolean, ordersFile: string): string {
  const shares = Object.entries(s.siteShare)
    .sort((a, b) => b[1] - a[1])
    .map(([site, share]) => [site, pct(share)]);
  return [
    bold(`predict: ${subset.length} sites, ${s.targets.toLocaleString('en-US')} targets`),
    `announce in this order ${knownOrder ? '(as the campaign did)' : `(${ordersFile} has no "# announce-order" line: the model's site order)`}: ${sequence.join(', ')}`,
    `reached: ${pct(s.reached)} of weight (${pct(s.coverageReachable)} of reachable targets); coverage (reached with a known RTT): ${pct(s.coverage)} of weight`,
    Number.isFinite(s.meanRttMs)
      ? `RTT (weighted): mean ${fmtMs(s.meanRttMs)}, median ${fmtMs(s.medianRttMs)}, p90 ${fmtMs(s.p90RttMs)}, p95 ${fmtMs(s.p95RttMs)}`
      : haveRtt
        ? 'RTT: unknown (no reached target with weight has a known RTT at its predicted site)'
        : 'RTT: unknown (give --rtt rtt.csv)',
    table(['site', 'share of weight'], shares),
    `low-confidence predictions (< ${low}): ${s.lowConfidence}; unknown RTT: ${s.unknownRtt}`,
  ].join('\n');
}
