/**
 * `anyopt sim`: the simulated Internet. `init` writes a scenario folder,
 * `catchment` prints the ground truth for one announcement (and explains a
 * target's path), `stats` shows what the scenario contains and the phenomena
 * that make anycast planning hard.
 */
import type { Command } from 'commander';
import { readAsRel, writeScenario, SCENARIO_FILES } from '../../io/scenario.js';
import { failOnIssues } from '../../io/csv.js';
import { UsageError } from '../../io/issues.js';
import { formatRtt } from '../../io/observations.js';
import {
  catchmentFromState,
  DEFAULT_GENERATE,
  explainTarget,
  formatExplanation,
  generateScenario,
  median,
  runAnnouncement,
  scenarioFromAsRel,
  scenarioStats,
  statsWork,
  weightedMean,
  type Catchment,
  type Twin,
} from '../../sim/index.js';
import type { CommandHost } from '../host.js';
import type { CliContext } from '../context.js';
import { intOption, listOption, pathOption, requiredOption, seedOption } from '../options.js';
import { printJson, withCsvSink } from '../output.js';
import { startProgress } from '../progress.js';
import { fmt, fmtMs, pct, table } from '../render.js';
import { checkTwin, loadTwin } from '../scenario.js';

interface InitOptions {
  out?: string;
  seed?: string;
  sites?: string;
  providers?: string;
  targets?: string;
  ases?: string;
  asRel?: string;
  json?: boolean;
}

interface CatchmentOptions {
  scenario?: string;
  announce?: string;
  prepend?: string;
  explain?: string[];
  out?: string;
  json?: boolean;
}

export function registerSim(program: Command, host: CommandHost): void {
  const { ctx } = host;
  const sim = program
    .command('sim')
    .description('the simulated Internet (the twin): a ground truth to plan and test against')
    .addHelpText(
      'after',
      `
Examples:
  $ anyopt sim init --out scenario
  $ anyopt sim catchment --scenario scenario --announce ams,syd,lhr
  $ anyopt sim catchment --scenario scenario --announce ams,syd --explain 1.0.0.1
  $ anyopt sim stats --scenario scenario`,
    );

  sim
    .command('init')
    .description('write a scenario folder: sites.csv, targets.csv, topology.as-rel.txt, pops.csv, scenario.json')
    .requiredOption('--out <dir>', 'scenario folder to write')
    .option('--seed <n>', 'random seed (same seed and options, same bytes)', String(DEFAULT_GENERATE.seed))
    .option('--sites <n>', 'anycast sites', String(DEFAULT_GENERATE.sites))
    .option('--providers <n>', 'transit providers the sites are spread over', String(DEFAULT_GENERATE.providers))
    .option('--targets <n>', 'client /24 targets', String(DEFAULT_GENERATE.targets))
    .option('--ases <n>', 'ASes in the synthetic topology (ignored with --as-rel)', String(DEFAULT_GENERATE.ases))
    .option('--as-rel <file>', 'build on a real CAIDA as-rel file (serial-1 or serial-2, plain or .gz)')
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText(
      'after',
      `
Examples:
  $ anyopt sim init --out scenario                         the default twin (15 sites, 6 providers)
  $ anyopt sim init --out big --sites 100 --ases 20000 --targets 1000000
  $ anyopt sim init --out real --as-rel 20250101.as-rel2.txt.gz`,
    )
    .action(host.action((opts: InitOptions) => simInit(ctx, opts)));

  sim
    .command('catchment')
    .description('ground truth: the site and RTT of every target for one announcement')
    .requiredOption('--scenario <dir>', 'scenario folder')
    .requiredOption('--announce <sites>', 'sites to announce, comma-separated, in the order they are switched on')
    .option('--prepend <site=n,...>', 'extra copies of the operator AS prepended at a site, e.g. syd=2')
    .option('--explain <target>', 'explain the path of a target router by router (repeatable); the CSV then goes only to --out', collect, [])
    .option('--out <file>', 'write the CSV here instead of stdout')
    .option('--json', 'print a JSON summary on stdout (the CSV then goes only to --out)')
    .addHelpText(
      'after',
      `
Output: target,site,rtt_ms (site and rtt_ms empty when the target is unreachable).

Examples:
  $ anyopt sim catchment --scenario scenario --announce ams,syd,lhr > truth.csv
  $ anyopt sim catchment --scenario scenario --announce ams,syd --prepend syd=2 --out truth.csv
  $ anyopt sim catchment --scenario scenario --announce ams,syd --explain 1.0.0.1`,
    )
    .action(host.action((opts: CatchmentOptions) => simCatchment(ctx, opts)));

  sim
    .command('stats')
    .description('what a scenario contains, and its path inflation, order-sensitive and cyclic targets, harmful sites')
    .requiredOption('--scenario <dir>', 'scenario folder')
    .option('--json', 'print the statistics as JSON on stdout')
    .addHelpText(
      'after',
      `
Runs every site alone, every pair in both orders (first 20 sites) and all-but-one;
about 250 catchments for 15 sites.

Example:
  $ anyopt sim stats --scenario scenario`,
    )
    .action(host.action((opts: { scenario?: string; json?: boolean }) => simStats(ctx, opts)));
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

async function simInit(ctx: CliContext, opts: InitOptions): Promise<number> {
  const out = requiredOption('--out', opts.out);
  const seed = seedOption(opts.seed);
  const sites = intOption('--sites', opts.sites, { min: 1, max: 1000 });
  const providers = intOption('--providers', opts.providers, { min: 1, max: 1000 });
  const targets = intOption('--targets', opts.targets, { min: 1, max: 5_000_000 });
  const ases = intOption('--ases', opts.ases, { min: 20, max: 200_000 });
  if (providers > sites) throw new UsageError(`Expected \`--providers\` to be at most \`--sites\` (${sites}), got \`${providers}\``);
  const started = ctx.now();
  // Generation is synchronous: the bar moves between phases (large scenarios take tens of seconds).
  const bar = startProgress(ctx, 'generating', 4);
  let phases = 0;
  const onPhase = () => bar.update(++phases);
  let scenario;
  try {
    if (opts.asRel !== undefined) {
      const parsed = await readAsRel(pathOption(ctx.cwd, opts.asRel), opts.asRel);
      failOnIssues(parsed.issues);
      if (parsed.relations.length === 0) throw new UsageError(`Expected \`--as-rel\` file ${opts.asRel} to contain AS relationships, got none`);
      scenario = scenarioFromAsRel(parsed.relations, { seed, sites, providers, targets, ases, asRelSource: opts.asRel }, onPhase);
    } else {
      scenario = generateScenario({ seed, sites, providers, targets, ases }, onPhase);
    }
    await writeScenario(pathOption(ctx.cwd, out), scenario);
    bar.update(4);
  } finally {
    bar.stop();
  }
  const summary = {
    out,
    seed,
    ases: scenario.config.ases,
    relations: scenario.relations.length,
    pops: scenario.pops.length,
    sites: scenario.sites.length,
    providers: new Set(scenario.sites.map((s) => s.providerAsn)).size,
    targets: scenario.targets.length,
    files: Object.values(SCENARIO_FILES),
    seconds: (ctx.now() - started) / 1000,
  };
  if (opts.json) printJson(ctx, summary);
  const c = ctx.color;
  if (summary.providers < providers) {
    ctx.stderr.write(`${c.yellow('warning:')} ${opts.asRel ?? 'the AS graph'} offers ${summary.providers} transit AS(es) to buy from, not the ${providers} asked: the scenario has ${summary.providers} provider(s) (scenario.json says so)\n`);
  }
  ctx.stderr.write(
    `${c.green('wrote')} ${out}/: ${fmt(summary.ases)} ASes, ${fmt(summary.relations)} relationships, ${fmt(summary.pops)} PoPs, ` +
      `${summary.sites} sites on ${summary.providers} providers, ${fmt(summary.targets)} targets (seed ${seed})\n`,
  );
  return 0;
}

/** Parse `syd=2,lhr=1`. */
export function parsePrepend(raw: string | undefined, announced: readonly string[]): Record<string, number> {
  if (raw === undefined) return {};
  const out: Record<string, number> = {};
  for (const item of listOption('--prepend', raw)) {
    const m = /^([^=]+)=(.*)$/.exec(item);
    if (!m) throw new UsageError(`Expected \`--prepend\` items like \`syd=2\`, got \`${item}\``);
    if (!/^\d+$/.test(m[2]) || Number(m[2]) > 10) throw new UsageError(`Expected \`--prepend\` counts to be integers in [0, 10], got \`${item}\``);
    if (!announced.includes(m[1])) throw new UsageError(`Expected \`--prepend\` sites among the announced ones (${announced.join(', ')}), got \`${m[1]}\``);
    if (m[1] in out) throw new UsageError(`Expected \`--prepend\` to name each site once, got \`${m[1]}\` twice`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function checkAnnounce(twin: Twin, raw: string | undefined, flag = '--announce'): string[] {
  const sites = listOption(flag, requiredOption(flag, raw));
  const unknown = sites.filter((s) => !twin.siteIds.includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`Expected \`${flag}\` to name sites of the scenario (${twin.siteIds.join(', ')}), got \`${unknown.join(',')}\``);
  }
  return sites;
}

async function simCatchment(ctx: CliContext, opts: CatchmentOptions): Promise<number> {
  const dir = requiredOption('--scenario', opts.scenario);
  const { twin } = await loadTwin(ctx, dir);
  const sites = checkAnnounce(twin, opts.announce);
  checkTwin(ctx, twin, dir, sites);
  const prepend = parsePrepend(opts.prepend, sites);
  const explain = opts.explain ?? [];
  const targetIndex = new Map(twin.targetIds.map((t, i) => [t, i]));
  for (const t of explain) {
    if (!targetIndex.has(t)) throw new UsageError(`Expected \`--explain\` to name a target of ${dir}/targets.csv, got \`${t}\``);
  }
  const state = runAnnouncement(twin, { sites, prepend });
  const c = catchmentFromState(state);
  const toStdout = explain.length === 0 && !opts.json;
  if (toStdout || opts.out !== undefined) await writeCatchmentCsv(ctx, twin, c, toStdout ? opts.out : opts.out);
  const explanations = explain.map((t) => ({ target: t, text: formatExplanation(explainTarget(state, targetIndex.get(t)!)) }));
  // With --json, stdout carries one JSON document: the explanations go inside it.
  if (!opts.json) for (const e of explanations) ctx.stdout.write(e.text + '\n');
  const summary = catchmentSummary(twin, c, sites);
  if (opts.json) printJson(ctx, { announce: sites, prepend, ...summary, ...(explanations.length > 0 ? { explain: explanations } : {}) });
  printCatchmentSummary(ctx, summary);
  return 0;
}

async function writeCatchmentCsv(ctx: CliContext, twin: Twin, c: Catchment, out: string | undefined): Promise<void> {
  await withCsvSink(ctx, out, async (sink) => {
    let chunk = 'target,site,rtt_ms\n';
    for (let t = 0; t < twin.targetIds.length; t++) {
      const s = c.site[t];
      chunk += s < 0 ? `${twin.targetIds[t]},,\n` : `${twin.targetIds[t]},${twin.siteIds[s]},${formatRtt(c.rttMs[t])}\n`;
      if (chunk.length > 1 << 16) {
        await sink.write(chunk);
        chunk = '';
      }
    }
    await sink.write(chunk);
  });
}

export interface CatchmentSummary {
  targets: number;
  reached: number;
  unreachable: number;
  medianRttMs: number;
  weightedMeanRttMs: number;
  perSite: Array<{ site: string; targets: number; weightShare: number; medianRttMs: number }>;
}

export function catchmentSummary(twin: Twin, c: Catchment, sites: readonly string[]): CatchmentSummary {
  const idx = sites.map((s) => twin.siteIds.indexOf(s));
  const per = idx.map(() => ({ targets: 0, weight: 0, rtts: [] as number[] }));
  let reached = 0;
  let totalWeight = 0;
  for (let t = 0; t < c.site.length; t++) {
    const s = c.site[t];
    if (s < 0) continue;
    reached++;
    totalWeight += twin.targetWeight[t];
    const k = idx.indexOf(s);
    per[k].targets++;
    per[k].weight += twin.targetWeight[t];
    per[k].rtts.push(c.rttMs[t]);
  }
  return {
    targets: c.site.length,
    reached,
    unreachable: c.site.length - reached,
    medianRttMs: median(c.rttMs),
    weightedMeanRttMs: weightedMean(twin, c),
    perSite: sites.map((site, k) => ({ site, targets: per[k].targets, weightShare: totalWeight > 0 ? per[k].weight / totalWeight : 0, medianRttMs: median(per[k].rtts) })),
  };
}

function printCatchmentSummary(ctx: CliContext, s: CatchmentSummary): void {
  const c = ctx.color;
  ctx.stderr.write(
    table(
      ['site', 'targets', 'weight', 'median RTT'],
      s.perSite.map((p) => [p.site, p.targets, pct(p.weightShare), p.targets > 0 ? fmtMs(p.medianRttMs) : '-']),
    ) + '\n',
  );
  ctx.stderr.write(
    `${c.bold('catchment')}: ${fmt(s.reached)} of ${fmt(s.targets)} targets reached, ${fmt(s.unreachable)} unreachable; ` +
      `median RTT ${fmtMs(s.medianRttMs)}, weighted mean ${fmtMs(s.weightedMeanRttMs)}\n`,
  );
}

async function simStats(ctx: CliContext, opts: { scenario?: string; json?: boolean }): Promise<number> {
  const dir = requiredOption('--scenario', opts.scenario);
  const { scenario, twin } = await loadTwin(ctx, dir);
  const bar = startProgress(ctx, 'catchments', statsWork(twin));
  const st = scenarioStats(twin, (d) => bar.update(d));
  bar.stop();
  if (opts.json) printJson(ctx, { scenario: dir, seed: scenario.config.seed, warnings: twin.warnings, ...st });
  const c = ctx.color;
  const w = ctx.stderr;
  w.write(`${c.bold(dir)}: ${fmt(st.ases)} ASes, ${fmt(st.pops)} PoPs, ${fmt(st.sessions)} BGP sessions, ${st.sites} sites, ${fmt(st.targets)} targets (${fmt(st.answering)} answer)\n`);
  for (const warning of twin.warnings) w.write(`${c.yellow('note')}: ${warning}\n`);
  if (!Number.isFinite(st.anycast.weightedMeanMs)) w.write(`${c.yellow('note')}: no answering target has a positive weight: the weighted figures and harmful sites are undefined (n/a)\n`);
  w.write(
    table(
      ['site', 'provider', 'targets', 'weight', 'mean RTT gain'],
      st.perSite.map((p, i) => [p.site, scenario.sites[i].provider, p.targets, pct(p.weightShare), Number.isFinite(p.meanGainMs) ? `${p.meanGainMs >= 0 ? '+' : ''}${p.meanGainMs.toFixed(1)} ms` : 'n/a']),
    ) + '\n',
  );
  w.write(`(mean RTT gain: how much worse the weighted mean RTT gets when the site is withdrawn; negative = the site hurts)\n`);
  w.write(
    `path inflation: median anycast RTT ${fmtMs(st.anycast.medianMs)} vs median best-unicast ${fmtMs(st.bestUnicast.medianMs)} (${Number.isFinite(st.inflation) ? `${st.inflation.toFixed(2)}x` : 'n/a'}); ` +
      `weighted mean ${fmtMs(st.anycast.weightedMeanMs)} vs ${fmtMs(st.bestUnicast.weightedMeanMs)}\n`,
  );
  w.write(`order-sensitive targets: ${fmt(st.orderSensitiveTargets)} (${pct(st.orderSensitiveTargets / Math.max(1, st.answering))}), catchment of some pair changes with announcement order\n`);
  w.write(`cyclic targets: ${fmt(st.cyclicTargets)} (${pct(st.cyclicTargets / Math.max(1, st.answering))}), pairwise winners contain a cycle${st.pairSites < st.sites ? ` (pairs among the first ${st.pairSites} sites)` : ''}\n`);
  w.write(`harmful sites: ${st.harmfulSites.length > 0 ? st.harmfulSites.join(', ') : 'none'} (adding them raises the weighted mean RTT)\n`);
  const steps = Object.entries(st.decidedBy).sort((a, b) => b[1] - a[1]);
  w.write(`decided by (targets' routers, all sites announced): ${steps.map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  return 0;
}
