/**
 * `anyopt measure plan` and `anyopt measure run`: flags, files and rendering
 * only. Planning is in src/measure/plan.ts, running in src/measure/runner.ts,
 * the drivers in src/drivers/.
 */
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import type { CliContext } from '../context.js';
import { choiceOption, intOption, numberOption, pathOption, requiredOption, seedOption } from '../options.js';
import { printJson, writeTextOutput } from '../output.js';
import { startProgress } from '../progress.js';
import { table, fmtDuration } from '../render.js';
import { formatCampaign, readCampaign, readPlanSites, readTargetList, RunJournal, type JournalMeta, type TargetList } from '../../io/campaign.js';
import { readSiteMap } from '../../io/campaign.js';
import { formatObservationRows } from '../../io/observations.js';
import { scenarioDigest } from '../../io/scenario.js';
import { campaignDigest, listDigest } from '../../measure/campaign.js';
import { runCampaign } from '../../measure/runner.js';
import { DriverError, type MeasurementDriver } from '../../drivers/driver.js';
import { parsePrefix } from '../../routes/addr.js';
import { realClock, VirtualClock } from '../../drivers/clock.js';
import { createSimDriver, type SimTwinApi } from '../../drivers/sim.js';
import { createExecDriver } from '../../drivers/exec.js';
import type { Twin } from '../../sim/index.js';
import { STRATEGIES, experimentCount, planCampaign, type Strategy } from '../../measure/plan.js';
import { UsageError } from '../../io/issues.js';

interface PlanFlags {
  sites?: string;
  strategy?: string;
  bothOrders?: boolean;
  spacing?: string;
  settle?: string;
  prefix?: string;
  out?: string;
  json?: boolean;
}

/** The anycast prefix goes into announce commands: a typo must stop here, not at the router. */
function checkPrefix(text: string, from = '`--prefix`'): void {
  const p = parsePrefix(text);
  if (typeof p === 'string') throw new UsageError(`Expected ${from} to be an IPv4 or IPv6 prefix such as 192.0.2.0/24 (${p}), got \`${text}\``);
}

export function registerMeasure(program: Command, host: CommandHost): void {
  const measure = program
    .command('measure')
    .description('plan and run site-preference measurement campaigns (AnyOpt pairwise experiments)')
    .addHelpText(
      'after',
      `
Examples:
  $ anyopt measure plan --sites scenario/sites.csv --strategy provider --out campaign.json
  $ anyopt measure run --campaign campaign.json --driver sim --scenario scenario --out observations.csv
  $ anyopt measure run <the same options> --resume
                                         continue a run that was killed or failed`,
    );
  measure
    .command('plan')
    .description('list the announcement experiments of a campaign and its expected wall time')
    .option('--sites <file>', 'sites.csv with columns site,provider (other columns ignored)')
    .option('--strategy <name>', `which experiments: ${STRATEGIES.join(' | ')}`, 'pairwise')
    .option('--both-orders', 'run every pair in both announcement orders (finds order-sensitive clients)')
    .option('--spacing <s>', 'seconds between switching on the sites of one experiment', '300')
    .option('--settle <s>', 'seconds to wait for BGP to converge before probing', '300')
    .option('--prefix <prefix>', 'the anycast prefix under test (for the exec driver\'s {prefix})')
    .option('--out <file>', 'write campaign.json here (default: stdout)')
    .option('--json', 'print a JSON summary on stdout instead of the campaign (needs --out)')
    .addHelpText(
      'after',
      `
Example:
  $ anyopt measure plan --sites scenario/sites.csv --strategy provider --settle 300 --out campaign.json
`,
    )
    .action(
      host.action(async (flags: PlanFlags) => {
        const { ctx } = host;
        const sitesPath = requiredOption('--sites', flags.sites);
        const strategy = choiceOption<Strategy>('--strategy', flags.strategy, STRATEGIES, 'pairwise');
        const spacingS = numberOption('--spacing', flags.spacing, { min: 0, max: 86400 });
        const settleS = numberOption('--settle', flags.settle, { min: 0, max: 86400 });
        if (flags.json && flags.out === undefined) throw new UsageError('`--json` prints the summary on stdout; give `--out` for the campaign');
        const sites = await readPlanSites(pathOption(ctx.cwd, sitesPath), sitesPath);
        if (flags.prefix !== undefined) checkPrefix(flags.prefix);
        const campaign = planCampaign(sites, { strategy, bothOrders: Boolean(flags.bothOrders), spacingS, settleS, ...(flags.prefix ? { prefix: flags.prefix } : {}) });
        await writeTextOutput(ctx, flags.out, formatCampaign(campaign));
        const providers = new Set(sites.map((s) => s.provider)).size;
        const counts = STRATEGIES.map((s) => ({ strategy: s, experiments: experimentCount(sites, s, false), bothOrders: experimentCount(sites, s, true) }));
        if (flags.json) {
          printJson(ctx, { sites: sites.length, providers, strategy, bothOrders: campaign.bothOrders, experiments: campaign.experiments.length, expectedWallS: campaign.expectedWallS, strategies: counts });
        }
        const dim = ctx.color.dim;
        ctx.stderr.write(
          `${sites.length} sites on ${providers} providers; strategy ${strategy}${campaign.bothOrders ? ' (both orders)' : ''}: ` +
            `${campaign.experiments.length} experiments, expected wall time ${fmtDuration(campaign.expectedWallS)} ` +
            `(spacing ${spacingS} s, settle ${settleS} s)\n` +
            dim('experiments per strategy:\n') +
            table(
              ['strategy', 'experiments', 'both orders'],
              counts.map((c) => [c.strategy + (c.strategy === strategy ? ' *' : ''), String(c.experiments), String(c.bothOrders)]),
            ) +
            '\n',
        );
        return 0;
      }),
    );
  registerRun(measure, host);
}

interface RunFlags {
  campaign?: string;
  targets?: string;
  driver?: string;
  scenario?: string;
  seed?: string;
  clock?: string;
  out?: string;
  resume?: boolean;
  prefix?: string;
  announceCmd?: string;
  withdrawCmd?: string;
  probeCmd?: string;
  probeFormat?: string;
  siteMap?: string;
  cmdTimeout?: string;
  retries?: string;
  json?: boolean;
}

const DRIVERS = ['sim', 'exec'] as const;

function registerRun(measure: Command, host: CommandHost): void {
  measure
    .command('run')
    .description('run a campaign, journaled: each finished experiment is durable; --resume continues after a kill')
    .option('--campaign <file>', 'campaign.json from `measure plan`')
    .option('--targets <file>', 'targets.csv (column target, optional prefix); default with --driver sim: the scenario\'s')
    .option('--driver <name>', `measurement backend: ${DRIVERS.join(' | ')}`, 'sim')
    .option('--scenario <dir>', 'sim: the scenario folder (`anyopt sim init`)')
    .option('--seed <n>', 'sim: seed of the probe loss and jitter', '1')
    .option('--clock <kind>', 'virtual (waits take no time) or real; default virtual for sim, real for exec')
    .option('--out <file>', 'observations.csv (written when the campaign completes; journal beside it)')
    .option('--resume', 'continue an interrupted run from its journal')
    .option('--prefix <prefix>', 'exec: the anycast prefix for {prefix} (default: the campaign\'s)')
    .option('--announce-cmd <template>', 'exec: command announcing the prefix at {site}')
    .option('--withdraw-cmd <template>', 'exec: command withdrawing the prefix at {site}')
    .option('--probe-cmd <template>', 'exec: command mapping the catchment; prints verfploeter, manycastr or target,site,rtt_ms CSV on stdout')
    .option('--site-map <file>', 'exec: map.csv (label,site) from the mapper\'s site labels to site ids')
    .option('--cmd-timeout <s>', 'exec: timeout of one command, seconds', '600')
    .option('--retries <n>', 'exec: retries of a failed command', '2')
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText(
      'after',
      `
Placeholders in exec templates (values are inserted shell-quoted):
  {site} the site acted on, {experiment} the experiment id, {prefix} the anycast prefix,
  {sites} the announced sites joined by "|" (probe only)

Examples:
  $ anyopt measure run --campaign campaign.json --driver sim --scenario scenario --out observations.csv
  $ anyopt measure run --campaign campaign.json --targets targets.csv --driver exec --prefix 192.0.2.0/24 \\
      --announce-cmd './bgp.sh announce {site} {prefix}' --withdraw-cmd './bgp.sh withdraw {site} {prefix}' \\
      --probe-cmd './verfploeter.sh {experiment}' --site-map map.csv --out observations.csv
  $ anyopt measure run <the same options> --resume  # after an interruption: continue where it stopped
`,
    )
    .action(
      host.action(async (flags: RunFlags) => {
        const { ctx } = host;
        const campaignPath = requiredOption('--campaign', flags.campaign);
        const out = pathOption(ctx.cwd, requiredOption('--out', flags.out));
        const driverName = choiceOption('--driver', flags.driver, DRIVERS, 'sim');
        const clockKind = choiceOption('--clock', flags.clock, ['virtual', 'real'] as const, driverName === 'sim' ? 'virtual' : 'real');
        const campaign = await readCampaign(pathOption(ctx.cwd, campaignPath), campaignPath);
        const digest = campaignDigest(campaign); // of the file, before --prefix overrides its prefix

        let targets: TargetList | undefined = flags.targets ? await readTargetList(pathOption(ctx.cwd, flags.targets), flags.targets) : undefined;
        // Ctrl-C / SIGTERM: the runner stops between steps and the exec driver kills the command running.
        const abort = new AbortController();
        let driver: MeasurementDriver;
        const settings: Record<string, string | number> = {};
        if (driverName === 'sim') {
          const scenarioDir = requiredOption('--scenario', flags.scenario);
          const seed = seedOption(flags.seed);
          const campaignSites = campaign.sites.map((x) => x.site);
          const sim = await loadSim(ctx, pathOption(ctx.cwd, scenarioDir), scenarioDir, campaignSites);
          // Input mismatches are usage errors (exit 2), found before any experiment runs.
          const simSites = new Set(sim.twin.siteIds);
          const noSite = campaignSites.filter((s) => !simSites.has(s));
          if (noSite.length > 0) {
            throw new UsageError(`${campaignPath} names site(s) ${noSite.map((x) => `"${x}"`).join(', ')} that scenario ${scenarioDir} does not have (its sites: ${sim.twin.siteIds.join(', ')})`);
          }
          if (targets) {
            const simTargets = new Set(sim.twin.targetIds);
            const unknown = targets.targetIds.filter((t) => !simTargets.has(t));
            if (unknown.length > 0) {
              throw new UsageError(`${unknown.length} target(s) of ${flags.targets} are not in scenario ${scenarioDir}, e.g. ${unknown.slice(0, 3).join(', ')}: use the scenario's targets.csv or a subset of it`);
            }
          }
          targets ??= { targetIds: [...sim.twin.targetIds], prefixes: [] };
          driver = createSimDriver(sim, { seed });
          settings.seed = seed;
          // The scenario's bytes: a resume on another twin (or an edited one) would mix two Internets in one file.
          settings.scenario = await scenarioDigest(pathOption(ctx.cwd, scenarioDir));
        } else {
          if (!targets) throw new UsageError('Missing required option `--targets` (the exec driver needs the target list)');
          if (flags.prefix !== undefined) checkPrefix(flags.prefix);
          else if (campaign.prefix !== undefined) checkPrefix(campaign.prefix, `the prefix of ${campaignPath}`);
          const prefix = flags.prefix ?? campaign.prefix;
          if (prefix !== undefined) campaign.prefix = prefix;
          const siteMap = flags.siteMap ? await readSiteMap(pathOption(ctx.cwd, flags.siteMap), flags.siteMap) : undefined;
          driver = createExecDriver({
            signal: abort.signal,
            announceCmd: requiredOption('--announce-cmd', flags.announceCmd),
            withdrawCmd: requiredOption('--withdraw-cmd', flags.withdrawCmd),
            probeCmd: requiredOption('--probe-cmd', flags.probeCmd),
            timeoutMs: numberOption('--cmd-timeout', flags.cmdTimeout, { min: 0.001 }) * 1000,
            retries: intOption('--retries', flags.retries, { min: 0, max: 100 }),
            cwd: ctx.cwd,
            env: ctx.env,
            clock: realClock,
            targetPrefixes: targets.prefixes,
            ...(prefix !== undefined ? { prefix } : {}),
            ...(siteMap ? { siteMap } : {}),
          });
          if (prefix !== undefined) settings.prefix = prefix;
        }
        const clock = clockKind === 'virtual' ? new VirtualClock() : realClock;
        const { targetIds } = targets;
        const siteIds = campaign.sites.map((s) => s.site);
        const meta: JournalMeta = {
          format: 'anyopt-journal',
          version: 1,
          campaign: digest,
          targets: listDigest(targetIds),
          driver: driverName,
          settings,
        };
        const journal = await RunJournal.open(out, meta, { resume: Boolean(flags.resume), onNote: (n) => ctx.stderr.write(`${ctx.color.yellow('warning:')} ${n}\n`) });
        const done = journal.done;
        const total = campaign.experiments.length;
        if (done.size > 0) ctx.stderr.write(`resuming: ${done.size} of ${total} experiments already done\n`);
        ctx.stderr.write(
          `${total} experiments over ${targetIds.length.toLocaleString('en-US')} targets with driver ${driverName} (${clockKind} clock); ` +
            `testbed time ${fmtDuration(campaign.expectedWallS)}\n`,
        );
        const bar = startProgress(ctx, 'measure', total);
        bar.update(done.size);
        const started = ctx.now();
        const onSignal = () => abort.abort(new Error('interrupted')); // a second signal kills at once
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        let finished = done.size;
        let summary;
        try {
          summary = await runCampaign(campaign, driver, {
            clock,
            targetIds,
            done,
            cleanStart: done.size > 0,
            signal: abort.signal,
            onExperiment: async (r) => {
              const rows = formatObservationRows(r.experiment.id, r.experiment.sites, targetIds, siteIds, r.result.site, r.result.rttMs);
              await journal.append(r.experiment.id, rows, r.answered, targetIds.length);
              bar.update(++finished);
            },
          });
        } catch (err) {
          bar.stop();
          await journal.close();
          // A run that finished no experiment leaves nothing to resume.
          if (journal.entries.length === 0) await journal.discard();
          const next =
            journal.entries.length > 0
              ? `journal kept: run again with --resume to continue from experiment ${finished + 1} of ${total}`
              : 'no experiment finished; nothing to resume';
          const cleanup = (err as { cleanupErrors?: unknown[] } | undefined)?.cleanupErrors ?? [];
          if (cleanup.length > 0) {
            // A withdrawal failed even after its retries: the prefix may still be announced there.
            const why = cleanup.map((e) => (e instanceof Error ? e.message : String(e))).join('\n');
            ctx.stderr.write(`${ctx.color.red('error:')} ${abort.signal.aborted ? 'interrupted, and ' : ''}withdrawing failed: a site may still announce the prefix; withdraw it by hand\n${why}\n${ctx.color.dim(next)}\n`);
            return 1;
          }
          if (abort.signal.aborted) {
            ctx.stderr.write(`interrupted: every site withdrawn; ${next}\n`);
            return 1;
          }
          if (err instanceof DriverError) {
            ctx.stderr.write(`${ctx.color.red('error:')} ${err.message}\n${ctx.color.dim(next)}\n`);
            return 1;
          }
          throw err;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        bar.stop();
        const answeredAll = journal.entries.map((e) => e.answered);
        await journal.finish();
        // A signal during the last experiment came too late to stop anything: say so (exit 0, the output is complete).
        if (abort.signal.aborted) ctx.stderr.write(`${ctx.color.yellow('note:')} interrupted during the last experiment; the campaign had finished, so the output is complete\n`);
        const wallS = (ctx.now() - started) / 1000;
        const sorted = [...answeredAll].sort((a, b) => a - b);
        const stats = {
          experiments: total,
          resumed: summary.skipped,
          targets: targetIds.length,
          answeredMin: sorted[0] ?? 0,
          answeredMedian: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0,
          answeredMax: sorted[sorted.length - 1] ?? 0,
          rows: total * targetIds.length,
          ignoredReplies: summary.ignored,
          wallS: Math.round(wallS * 1000) / 1000,
          clockS: summary.clockMs / 1000,
          out,
        };
        if (flags.json) printJson(ctx, stats);
        const pctOf = (n: number) => `${((100 * n) / Math.max(1, targetIds.length)).toFixed(1)}%`;
        ctx.stderr.write(
          `${total} experiments${summary.skipped ? ` (${summary.skipped} from the journal)` : ''}, ${targetIds.length.toLocaleString('en-US')} targets; ` +
            `answered per experiment: min ${stats.answeredMin} (${pctOf(stats.answeredMin)}), median ${stats.answeredMedian}, max ${stats.answeredMax}\n` +
            (summary.ignored ? `${summary.ignored} replies matched no target or announced site and were ignored\n` : '') +
            `wall time ${fmtDuration(wallS)}${clockKind === 'virtual' ? `, simulated testbed time ${fmtDuration(summary.clockMs / 1000)}` : ''}; wrote ${out}\n`,
        );
        return 0;
      }),
    );
}

/** The twin, loaded lazily (only the sim driver needs it). */
async function loadSim(ctx: CliContext, dir: string, label: string, used: readonly string[]): Promise<SimTwinApi<Twin>> {
  const [sim, io, check] = await Promise.all([import('../../sim/index.js'), import('../../io/scenario.js'), import('../scenario.js')]);
  const twin = sim.buildTwin(await io.readScenario(dir, label));
  check.checkTwin(ctx, twin, label, used);
  return { twin, computeCatchment: sim.computeCatchment, probeCatchment: sim.probeCatchment };
}
