/**
 * `anyopt optimize`: choose the announcing sites from a preference model
 * (orders.csv + rtt.csv) and write plan.json. Parses flags, reads the inputs,
 * calls `optimizeSites` (src/optimize/optimize.ts), renders the comparison
 * table on stderr. The plan format is documented in docs/formats.md.
 */
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import { EXIT } from '../host.js';
import type { CliContext } from '../context.js';
import { choiceOption, expected, intOption, listOption, numberOption, pathOption, requiredOption } from '../options.js';
import { printJson, writeTextOutput } from '../output.js';
import { fmtDuration, pct, table } from '../render.js';
import { startProgress } from '../progress.js';
import { UsageError } from '../../io/issues.js';
import { failOnIssues } from '../../io/csv.js';
import { readPreferenceModel } from '../../io/orders.js';
import { jsonMs, jsonNumber, planToJson, readSiteCapacities, readTargetWeights, type PlanFile, type PlanSummaryJson } from '../../io/plan.js';
import { unrankedSites, type PreferenceModel } from '../../orders/model.js';
import { assignSubset, summarize, type PlanSummary } from '../../optimize/evaluate.js';
import { DEFAULT_UNCOVERED_MS, OPTIMIZE_PHASES, optimizeSites, type BoundBy, type Method, type Objective, type OptimizeResult } from '../../optimize/optimize.js';
import { MAX_EXACT_SITES } from '../../optimize/exact.js';
import { loadSolver, SolverAbortedError } from '../../solver/solver.js';

export interface ModelInputs {
  model: PreferenceModel;
  weight: Float64Array;
  weightsNote?: string;
}

/** The warning for sites no order ranks (see unrankedSites). */
export function unrankedNote(sites: readonly string[], ordersPath: string): string {
  const list = sites.length > 8 ? `${sites.slice(0, 8).join(', ')} and ${sites.length - 8} more` : sites.join(', ');
  return `no target's order in ${ordersPath} ranks ${list} (named only in rtt.csv or the announce order): the model predicts ${sites.length === 1 ? 'it serves' : 'they serve'} nobody, which no measurement shows`;
}

/** Read orders.csv + rtt.csv (and targets.csv weights): shared by optimize and validate. */
export async function readModelInputs(ctx: CliContext, opts: { orders?: string; rtt?: string; weights?: string }): Promise<ModelInputs> {
  const ordersPath = requiredOption('--orders', opts.orders);
  const rttPath = requiredOption('--rtt', opts.rtt);
  const { model, issues, records } = await readPreferenceModel(pathOption(ctx.cwd, ordersPath), pathOption(ctx.cwd, rttPath), { orders: ordersPath, rtt: rttPath });
  failOnIssues(issues, { records: records.orders + records.rtt });
  if (model.siteIds.length === 0) throw new UsageError(`${ordersPath} names no sites: nothing to choose from`);
  let weight: Float64Array = new Float64Array(model.targetIds.length).fill(1);
  const notes: string[] = [];
  const unranked = unrankedSites(model);
  if (unranked.length > 0) notes.push(unrankedNote(unranked, ordersPath));
  if (opts.weights !== undefined) {
    const w = await readTargetWeights(pathOption(ctx.cwd, opts.weights), model.targetIds, opts.weights, ordersPath);
    weight = w.weight;
    if (w.missing > 0) notes.push(`${w.missing} target(s) of ${ordersPath} are not in ${opts.weights} and weigh 0`);
    if (w.unknown > 0) notes.push(`${w.unknown} target(s) of ${opts.weights} are not in ${ordersPath} and are ignored`);
  }
  return { model, weight, weightsNote: notes.length > 0 ? notes.join('; ') : undefined };
}

const BOUND_NAMES: Record<BoundBy, string> = { search: 'search', lp: 'LP relaxation', lagrangian: 'Lagrangian relaxation', trie: 'order-trie relaxation' };

export function siteIndices(model: PreferenceModel, flag: string, names: string[]): number[] {
  return names.map((n) => {
    const s = model.siteIds.indexOf(n);
    if (s < 0) throw expected(flag, `site ids from the model (${model.siteIds.slice(0, 12).join(', ')}${model.siteIds.length > 12 ? ', ...' : ''})`, n);
    return s;
  });
}

/** Sites in deployment order: the campaign's announcement order first, then the rest in model order. */
export function announcementOrder(model: PreferenceModel, sites: readonly string[]): string[] {
  const pos = new Map(model.announceOrder.map((s, i) => [s, i]));
  return [...sites].sort((a, b) => (pos.get(a) ?? Infinity) - (pos.get(b) ?? Infinity) || model.siteIds.indexOf(a) - model.siteIds.indexOf(b));
}

function summaryJson(s: PlanSummary, withCapacity: boolean): PlanSummaryJson {
  const j: PlanSummaryJson = {
    sites: s.sites,
    meanMs: jsonNumber(s.meanMs),
    medianMs: jsonMs(s.medianMs),
    p90Ms: jsonMs(s.p90Ms),
    p95Ms: jsonMs(s.p95Ms),
    coverage: s.coverage,
    reached: s.reached,
    load: s.load,
  };
  if (withCapacity) j.overCapacity = s.load.filter((l) => l.capacity !== undefined && l.load > l.capacity * (1 + 1e-12)).map((l) => l.site);
  return j;
}

const ms = (x: number | null) => (x === null ? 'n/a' : x.toFixed(1));

/** plan.json for an optimizer result (optimize writes it; the demo too). */
export function planFileOf(
  model: PreferenceModel,
  weight: Float64Array,
  result: OptimizeResult,
  o: { spacingS: number; capacity?: Float64Array; constraints: PlanFile['constraints']; weightsPath: string | null },
): PlanFile {
  const summaryOf = (subset: Uint8Array) => summarize(model, subset, assignSubset(model, subset), weight, o.capacity);
  const chosen = summaryOf(result.subset);
  const order = announcementOrder(model, chosen.sites);
  const hasCap = o.capacity !== undefined;
  return {
    format: 'anyopt-plan',
    version: 1,
    objective: result.objective,
    method: result.method,
    status: result.status,
    // A p95 is an RTT of rtt.csv (a 32-bit float): to 0.001 ms; a mean keeps its digits. A bound
    // is rounded down, so that it stays a bound.
    objectiveMs: result.objective === 'p95' ? jsonMs(result.value) : jsonNumber(result.value),
    lowerBoundMs: result.objective === 'p95' ? jsonMs(result.lowerBound, Math.floor) : jsonNumber(result.lowerBound),
    lowerBoundBy: result.boundBy,
    gap: result.gap,
    constraints: o.constraints,
    sites: order,
    announce: { order, spacingS: o.spacingS },
    predicted: summaryJson(chosen, hasCap),
    comparisons: {
      allSites: summaryJson(summaryOf(result.comparisons.allSites), hasCap),
      greedyUnicast: summaryJson(summaryOf(result.comparisons.greedyUnicast), hasCap),
      greedyAdd: summaryJson(summaryOf(result.comparisons.greedyAdd), hasCap),
      greedyDrop: summaryJson(summaryOf(result.comparisons.greedyDrop), hasCap),
    },
    inputs: { targets: model.targetIds.length, sites: model.siteIds.length, classes: result.classes, weights: o.weightsPath },
    search: { nodes: result.nodes },
  };
}

export function registerOptimize(program: Command, host: CommandHost): void {
  const { ctx } = host;
  program
    .command('optimize')
    .description('choose the announcing sites that minimise mean or p95 RTT (exact up to 30 sites), write plan.json')
    .option('--orders <file>', 'orders.csv (preference order per target)')
    .option('--rtt <file>', 'rtt.csv (RTT per target and site)')
    .option('--weights <file>', 'targets.csv with target,weight columns (default: every target weighs 1)')
    .option('--k <n>', 'announce exactly n sites')
    .option('--max-sites <n>', 'announce at most n sites')
    .option('--require <sites>', 'comma-separated sites that must announce')
    .option('--exclude <sites>', 'comma-separated sites that must not announce')
    .option('--capacity <file>', 'sites.csv with site,capacity columns (capacity in target-weight units; empty = unlimited)')
    .option('--objective <name>', 'mean | p95', 'mean')
    .option('--method <name>', 'auto | exact | heuristic | milp (auto: exact up to 30 sites; milp: HiGHS, a slower reference)', 'auto')
    .option('--time-limit <s>', 'stop searching after this many seconds (counted after the inputs are read) and report the gap', '60')
    .option('--uncovered-ms <ms>', 'cost of a target left without a predicted RTT (objective mean)', String(DEFAULT_UNCOVERED_MS))
    .option('--spacing <s>', 'seconds between switching on consecutive sites, recorded in the plan', '300')
    .option('--out <file>', 'write plan.json here (default: stdout)')
    .option('--json', 'print a JSON summary on stdout (needs --out)')
    .addHelpText(
      'after',
      `
Examples:
  $ anyopt optimize --orders orders.csv --rtt rtt.csv --k 12 --out plan.json
  $ anyopt optimize --orders orders.csv --rtt rtt.csv --weights targets.csv --capacity sites.csv \\
      --require ams --exclude mia --objective p95 --out plan.json

Prints a table comparing the plan with all sites, greedy-by-unicast (same size), greedy add and
greedy drop on stderr. Exit 1 when no subset meets the capacities (the binding site is named).
Past 30 sites the plan is heuristic (local search, then rounding of an LP relaxation) and carries
its gap to a certified lower bound (lowerBoundBy: lp, lagrangian or trie), or status optimal
when it meets that bound; with the mean objective it uses the whole time limit there unless
the plan meets its bound, and a faster machine gets further.`,
    )
    .action(
      host.action(async (opts: Record<string, string | boolean | undefined>) => {
        const started = ctx.now();
        if (opts.k !== undefined && opts.maxSites !== undefined) throw new UsageError('Use either `--k` or `--max-sites`, not both');
        if (opts.json && (opts.out === undefined || opts.out === '-')) throw new UsageError('`--json` prints a summary on stdout, so the plan needs `--out FILE`');
        const objective = choiceOption<Objective>('--objective', opts.objective as string, ['mean', 'p95'], 'mean');
        const method = choiceOption<Method>('--method', opts.method as string, ['auto', 'exact', 'heuristic', 'milp'], 'auto');
        if (method === 'milp' && objective !== 'mean') throw expected('--method', 'auto, exact or heuristic with `--objective p95` (milp handles the mean)', method);
        const timeLimit = numberOption('--time-limit', opts.timeLimit as string, { min: 0 });
        const uncoveredMs = numberOption('--uncovered-ms', opts.uncoveredMs as string, { min: 0 });
        const spacingS = numberOption('--spacing', opts.spacing as string, { min: 0, max: 86400 });
        const k = opts.k === undefined ? undefined : intOption('--k', opts.k as string, { min: 1 });
        const maxSites = opts.maxSites === undefined ? undefined : intOption('--max-sites', opts.maxSites as string, { min: 1 });
        const requireNames = listOption('--require', opts.require as string | undefined);
        const excludeNames = listOption('--exclude', opts.exclude as string | undefined);

        const { model, weight, weightsNote } = await readModelInputs(ctx, opts as { orders?: string; rtt?: string; weights?: string });
        const S = model.siteIds.length;
        // With no RTT at all every subset costs the same (--uncovered-ms a target): any plan would be "optimal".
        if (!model.rttMs.some((r) => r === r)) throw new UsageError(`${opts.rtt as string} gives no RTT for any target of ${opts.orders as string}: there is nothing to minimise (is it the rtt.csv that \`anyopt orders --rtt-out\` wrote?)`);
        const required = siteIndices(model, '--require', requireNames);
        const excluded = siteIndices(model, '--exclude', excludeNames);
        const both = requireNames.find((s) => excludeNames.includes(s));
        if (both) throw new UsageError(`Site \`${both}\` is both required and excluded`);
        if (new Set(excluded).size >= S) throw new UsageError(`\`--exclude\` leaves no site to announce (the model has ${S}: ${model.siteIds.slice(0, 12).join(', ')}${S > 12 ? ', ...' : ''})`);
        if (k !== undefined && k > S - excluded.length) throw expected('--k', `at most ${S - excluded.length} (sites not excluded)`, k);
        if (k !== undefined && k < required.length) throw expected('--k', `at least ${required.length} (the required sites)`, k);
        if (maxSites !== undefined && maxSites < required.length) throw expected('--max-sites', `at least ${required.length} (the required sites)`, maxSites);
        if (method === 'exact' && S > 30) throw expected('--method', 'heuristic or auto for more than 30 sites', method);
        let capacity: Float64Array | undefined;
        if (opts.capacity !== undefined) {
          const c = await readSiteCapacities(pathOption(ctx.cwd, opts.capacity as string), model.siteIds, opts.capacity as string);
          capacity = c.capacity;
          if (c.unknown.length > 0) ctx.stderr.write(`note: ${c.unknown.length} site(s) of ${opts.capacity} are not in the model and are ignored (${c.unknown.slice(0, 5).join(', ')})\n`);
        }
        if (weightsNote) ctx.stderr.write(`note: ${weightsNote}\n`);

        // The limit is the search's: reading a large model (about 15 s at 1M targets x 15 sites) does
        // not eat into the time the LP bound and the rounding get.
        const searchStarted = ctx.now();
        const deadline = searchStarted + timeLimit * 1000;
        // The solver runs the MILP, and past the exact search's reach the LP lower bound (for the
        // mean, and for p95 the LP on the exceed costs that raises its bound).
        const heuristicPath = method === 'heuristic' || (method === 'auto' && S > MAX_EXACT_SITES);
        const solver = method === 'milp' || heuristicPath ? await loadSolver() : undefined;
        const phases: readonly string[] = OPTIMIZE_PHASES;
        const bar = startProgress(ctx, 'optimize', phases.length);
        const runNotes: string[] = [];
        const result = (() => {
          try {
            return optimizeSites(model, weight, {
              k,
              maxSites,
              required,
              excluded,
              capacity,
              objective,
              method,
              uncoveredMs,
              solver,
              milpTimeLimitS: Math.max(1, (deadline - ctx.now()) / 1000),
              shouldStop: () => ctx.now() > deadline,
              timeLeftS: () => (deadline - ctx.now()) / 1000,
              onPhase: (p) => bar.update(phases.indexOf(p) + 1),
              onNote: (n) => runNotes.push(n),
            });
          } catch (err) {
            // Only the MILP lets an abort through (the LP bounds fall back and say so in a note).
            if (err instanceof SolverAbortedError) {
              throw new UsageError(`--method milp: ${err.message}; use --method auto (exact search up to ${MAX_EXACT_SITES} sites, a plan with a certified bound past that)`);
            }
            throw err;
          } finally {
            bar.stop();
          }
        })();
        const searchDone = ctx.now();
        for (const n of runNotes) ctx.stderr.write(`note: ${n}\n`);
        const red = ctx.color.red;
        if (result.kind === 'infeasible') {
          let msg = `${red('infeasible:')} ${result.reason}`;
          if (result.site !== undefined) {
            msg += `; tightest site: ${result.site} would carry ${fmtLoad(result.load!)} against its capacity ${fmtLoad(result.capacity!)} in the ${result.planProven === false ? 'plan found' : 'best plan'} without capacities`;
          }
          ctx.stderr.write(msg + '\n');
          if (opts.json) printJson(ctx, { status: 'infeasible', reason: result.reason, site: result.site ?? null, load: result.load ?? null, capacity: result.capacity ?? null });
          return EXIT.negative;
        }

        const plan = planFileOf(model, weight, result, {
          spacingS,
          capacity,
          constraints: {
            k: k ?? null,
            maxSites: maxSites ?? null,
            require: requireNames,
            exclude: excludeNames,
            capacity: (opts.capacity as string | undefined) ?? null,
            uncoveredMs,
          },
          weightsPath: (opts.weights as string | undefined) ?? null,
        });
        const { comparisons: comps } = plan;
        const order = plan.sites;
        const hasCap = capacity !== undefined;
        const out = opts.out as string | undefined;
        await writeTextOutput(ctx, out, planToJson(plan));

        const rows: Array<[string, PlanSummaryJson]> = [
          ['plan', plan.predicted],
          ['all sites', comps.allSites],
          ['greedy by unicast', comps.greedyUnicast],
          ['greedy add', comps.greedyAdd],
          ['greedy drop', comps.greedyDrop],
        ];
        const maxShare = (s: PlanSummaryJson) => s.load.reduce((m, l) => Math.max(m, l.share), 0);
        const headers = ['', 'sites', 'mean ms', 'median ms', 'p90 ms', 'p95 ms', 'coverage', 'max site load'];
        if (hasCap) headers.push('over capacity');
        ctx.stderr.write(
          table(
            headers,
            rows.map(([name, s]) => {
              const row: Array<string | number> = [name, s.sites.length, ms(s.meanMs), ms(s.medianMs), ms(s.p90Ms), ms(s.p95Ms), pct(s.coverage), pct(maxShare(s))];
              if (hasCap) row.push(s.overCapacity && s.overCapacity.length > 0 ? s.overCapacity.join(',') : '-');
              return row;
            }),
          ) + '\n',
        );
        const elapsed = (ctx.now() - started) / 1000;
        const searchS = (searchDone - searchStarted) / 1000;
        const readS = (searchStarted - started) / 1000;
        const took = `in ${fmtDuration(searchS)} (inputs read in ${fmtDuration(readS)})`;
        const statusLine =
          result.status === 'optimal'
            ? result.method === 'heuristic'
              ? `optimal (heuristic plan, proven by the ${BOUND_NAMES[result.boundBy]}) ${took}`
              : `optimal (${result.method}, proven) ${took}`
            : `best found ${took}, within ${pct(result.gap, 2)} of the proven lower bound ${ms(plan.lowerBoundMs)} ms (${BOUND_NAMES[result.boundBy]})`;
        ctx.stderr.write(`${objective} ${ms(plan.objectiveMs)} ms: ${statusLine}; ${result.classes.toLocaleString('en-US')} distinct orders\n`);
        ctx.stderr.write(`announce in this order, ${spacingS} s apart: ${order.join(', ')}\n`);
        if (opts.json && out !== undefined && out !== '-') {
          printJson(ctx, { status: plan.status, objective, objectiveMs: plan.objectiveMs, lowerBoundMs: plan.lowerBoundMs, gap: plan.gap, sites: order, predicted: plan.predicted, seconds: elapsed, searchSeconds: searchS });
        }
        return EXIT.ok;
      }),
    );
}

/** A load in the weights' unit: two decimals, or four significant digits for small units (2e-6, not 0.00). */
function fmtLoad(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1 ? String(Number(x.toFixed(2))) : String(Number(x.toPrecision(4)));
}
