/**
 * `anyopt orders`: infer per-target preference orders and the RTT table from a
 * campaign's observations.csv (core: src/orders/infer.ts).
 */
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import { readObservations } from '../../io/observations.js';
import { writeOrders, writeRtt } from '../../io/orders.js';
import { failOnIssues } from '../../io/csv.js';
import { readSiteProviders } from '../../io/campaign.js';
import { UsageError } from '../../io/issues.js';
import { inferOrders, type InferStats } from '../../orders/infer.js';
import { intOption, pathOption, requiredOption } from '../options.js';
import { printJson, withCsvSinks } from '../output.js';
import { startProgress } from '../progress.js';
import { pct, table } from '../render.js';

interface OrdersFlags {
  observations?: string;
  sites?: string;
  out?: string;
  rttOut?: string;
  exactLimit?: string;
  json?: boolean;
}

export function registerOrders(program: Command, host: CommandHost): void {
  const { ctx } = host;
  program
    .command('orders')
    .description('infer per-target preference orders over sites (and an RTT table) from a campaign')
    .option('--observations <file>', 'observations.csv of a campaign (anyopt measure run); .gz accepted')
    .option('--sites <file>', 'sites.csv with columns site,provider: composes provider-level and within-provider pairs')
    .option('--out <file>', 'orders.csv (default: stdout)')
    .option('--rtt-out <file>', 'rtt.csv: per target and site, the RTT and its source')
    .option('--exact-limit <n>', 'rank cycles of up to n sites exactly (larger: heuristic)', '12')
    .option('--json', 'print a JSON summary on stdout (then --out is required)')
    .addHelpText(
      'after',
      `
Example:
  $ anyopt orders --observations obs.csv --sites scenario/sites.csv --out orders.csv --rtt-out rtt.csv
`,
    )
    .action(
      host.action(async (flags: OrdersFlags) => {
        const obsPath = pathOption(ctx.cwd, requiredOption('--observations', flags.observations));
        const exactLimit = intOption('--exact-limit', flags.exactLimit, { min: 1, max: 20 });
        if (flags.json && (flags.out === undefined || flags.out === '-')) {
          throw new UsageError('`--json` prints the summary on stdout: give `--out FILE` for orders.csv');
        }
        const { table: obs, issues } = await readObservations(obsPath, flags.observations);
        failOnIssues(issues);
        if (obs.rows === 0) throw new UsageError(`${flags.observations} has no observations`);

        let siteProvider: Map<string, string> | undefined;
        if (flags.sites !== undefined) {
          siteProvider = await readSiteProviders(pathOption(ctx.cwd, flags.sites), flags.sites);
          const unknown = obs.siteIds.filter((s) => !siteProvider!.has(s));
          if (unknown.length > 0) ctx.stderr.write(`warning: ${flags.sites} does not list ${unknown.join(', ')}: no provider composition for them\n`);
        }

        const bar = startProgress(ctx, 'orders', obs.targetIds.length);
        const { model, stats } = inferOrders(obs, { siteProvider, exactLimit, onProgress: (d) => bar.update(d) });
        bar.stop();

        await withCsvSinks(ctx, async (open) => {
          await writeOrders(model, await open(flags.out));
          if (flags.rttOut !== undefined) await writeRtt(model, await open(flags.rttOut));
        });

        if (flags.json) printJson(ctx, { sites: model.siteIds.length, targets: model.targetIds.length, announceOrder: model.announceOrder, ...stats });
        ctx.stderr.write(renderSummary(stats, model.siteIds.length, model.targetIds.length, ctx.color.bold) + '\n');
        return 0;
      }),
    );
}

function renderSummary(s: InferStats, S: number, T: number, bold: (x: string) => string): string {
  const rows: Array<[string, string | number]> = [
    ['total', s.status.total],
    ['cyclic', s.status.cyclic],
    ['partial', s.status.partial],
    ['unreachable', s.status.unreachable],
  ];
  const n = s.rttSources.anycast + s.rttSources.unicast + s.rttSources.estimated + s.rttSources.unknown;
  return [
    bold(`orders: ${T.toLocaleString('en-US')} targets x ${S} sites`),
    `experiments: ${s.experiments.siteAlone} site-alone, ${s.experiments.pairwise} pairwise, ${s.experiments.larger} larger; ${s.pairsMeasured} of ${s.pairsTotal} site pairs measured`,
    table(['status', 'targets'], rows),
    `order-sensitive targets: ${s.orderSensitive}; pairs from provider composition: ${s.pairsInferred.toLocaleString('en-US')}; heuristic cycles: ${s.heuristicComponents}`,
    `mean confidence (reachable targets): ${s.meanConfidence.toFixed(3)}`,
    n > 0
      ? `RTTs: ${pct(s.rttSources.anycast / n)} anycast, ${pct(s.rttSources.unicast / n)} unicast, ${pct(s.rttSources.estimated / n)} estimated, ${pct(s.rttSources.unknown / n)} unknown`
      : 'RTTs: none',
  ].join('\n');
}
