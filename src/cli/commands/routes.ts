/**
 * `anyopt routes`: MIRO-style outbound route optimization for multihomed
 * networks. Subcommands: traffic (flows -> per-prefix Mbps), optimize (plan +
 * injection text), sim (write the routes twin), demo (the loop end to end).
 * Parses flags, reads through src/io/routes, calls src/routes, renders.
 */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { loadSolver } from '../../solver/solver.js';
import { csvLine } from '../../io/csv.js';
import { formatIssues, InputError, UsageError, type InputIssue } from '../../io/issues.js';
import { loadOptimizeInputs, runTrafficPipeline, type FileArg } from '../../io/routes/pipeline.js';
import { readPolicy, parsePolicy } from '../../io/routes/providers.js';
import type { FlowFormat } from '../../routes/flows.js';
import { TRAFFIC_HEADER, trafficLines } from '../../routes/traffic.js';
import { injectionText, UnsafeInjectionError, type InjectTarget } from '../../routes/inject.js';
import type { Policy } from '../../routes/model.js';
import { optimizeRoutes, type Method } from '../../routes/optimize.js';
import { meanRtt, planRows, providerSummary, beforeAssignment } from '../../routes/plan.js';
import { writeTwin, runDemo } from '../../io/routes/twin-files.js';
import type { CliContext } from '../context.js';
import type { CommandHost } from '../host.js';
import { choiceOption, intOption, numberOption, pathOption, requiredOption, seedOption } from '../options.js';
import { printJson, withCsvSink, withCsvSinks } from '../output.js';
import { checkOutputAgainstInputs, outputPath, pathInputs } from '../output-guard.js';
import { fmt, table } from '../render.js';

const fileArg = (ctx: CliContext, p: string): FileArg => ({ path: pathOption(ctx.cwd, p), label: p });

function warn(ctx: CliContext, issues: InputIssue[], total = issues.length): void {
  // Notices about a whole file or provider (no line) are not skipped lines: each on its own.
  const notices = issues.filter((i) => i.line === undefined);
  const lines = issues.filter((i) => i.line !== undefined);
  for (const n of notices) ctx.stderr.write(`${ctx.color.yellow('warning:')} ${formatIssues([n], 1)}\n`);
  if (lines.length === 0) return;
  ctx.stderr.write(`${ctx.color.yellow('warning:')} skipped unreadable lines (within --max-bad-share):\n${formatIssues(lines, total - notices.length)}\n`);
}

/** A running count on stderr while large inputs stream in (TTY only; the total is not known up front). */
function spinner(ctx: CliContext) {
  let shown = false;
  return {
    update(what: string, n: number) {
      if (!ctx.stderrIsTTY) return;
      shown = true;
      ctx.stderr.write(`\r\x1b[Kreading ${what}: ${n.toLocaleString('en-US')} lines`);
    },
    stop() {
      if (shown) ctx.stderr.write('\r\x1b[K');
    },
  };
}

const ms = (x: number) => (Number.isFinite(x) ? fmt(x) : '-');
const n2 = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(3)) : '');

export function registerRoutes(program: Command, host: CommandHost): void {
  const { ctx } = host;
  const routes = program
    .command('routes')
    .description('outbound route optimization for multihomed networks (MIRO-style): traffic, optimize, sim, demo');
  routes.addHelpText(
    'after',
    `
Examples:
  $ anyopt routes demo
  $ anyopt routes sim --out twin
  $ anyopt routes traffic --routes twin/rib-*.txt --providers twin/providers.csv --flows twin/flows.csv --out traffic.csv
  $ anyopt routes optimize --routes twin/rib-*.txt --providers twin/providers.csv --traffic traffic.csv \\
      --performance twin/perf-before.csv --inject gobgp --inject-out routes.sh --out plan.csv
`,
  );

  routes
    .command('traffic')
    .description('per-prefix traffic (mean and 95th percentile Mbps, 5-minute bins) from flows and provider tables')
    .requiredOption('--routes <files...>', 'bgpdump -m output of each provider table (RIB dumps and updates; .gz ok)')
    .requiredOption('--providers <file>', 'providers.csv')
    .requiredOption('--flows <file>', 'flow records: goflow2 JSON lines, nfdump CSV, or time,dst_addr,bytes,packets,sampling_rate')
    .option('--format <format>', 'goflow2, nfdump or csv (default: detected from the first line)')
    .option('--sampling-rate <n>', 'sampling rate for records that carry none (nfdump exports)', '1')
    .option('--max-bad-share <x>', 'refuse when more than this share of a file is unreadable', '0.01')
    .option('--out <file>', 'traffic.csv (default stdout)')
    .option('--json', 'print a JSON summary on stdout (needs --out)')
    .addHelpText('after', '\nExample:\n  $ anyopt routes traffic --routes rib-a.txt rib-b.txt --providers providers.csv --flows flows.csv --out traffic.csv\n')
    .action(
      host.action(async (o: { routes: string[]; providers: string; flows: string; format?: string; samplingRate: string; maxBadShare: string; out?: string; json?: boolean }) => {
        const format = o.format === undefined ? undefined : choiceOption<FlowFormat>('--format', o.format, ['goflow2', 'nfdump', 'csv'], 'csv');
        const defaultSampling = numberOption('--sampling-rate', o.samplingRate, { min: 1, max: 4294967295 });
        const maxBadShare = numberOption('--max-bad-share', o.maxBadShare, { min: 0, max: 1 });
        if (o.json && (o.out === undefined || o.out === '-')) throw new UsageError('`--json` prints the summary on stdout, so the CSV needs `--out FILE`');
        const t0 = ctx.now();
        const progress = spinner(ctx);
        const run = await runTrafficPipeline({
          providers: fileArg(ctx, o.providers),
          routes: o.routes.map((r) => fileArg(ctx, r)),
          flows: fileArg(ctx, o.flows),
          format,
          defaultSampling,
          maxBadShare,
          onProgress: (w, n) => progress.update(w, n),
        });
        progress.stop();
        const e = run.estimate;
        await withCsvSink(ctx, o.out, async (sink) => {
          await sink.write(`${TRAFFIC_HEADER}\n`);
          let buf = '';
          for (const line of trafficLines(e, run.table.prefixes)) {
            buf += line + '\n';
            if (buf.length > 1 << 16) {
              await sink.write(buf);
              buf = '';
            }
          }
          if (buf) await sink.write(buf);
        });
        warn(ctx, run.warnings);
        const seconds = (ctx.now() - t0) / 1000;
        const summary = {
          providers: run.providers.length,
          prefixes: run.table.size,
          routes: run.rib.announcements,
          withdrawals: run.rib.withdrawals,
          flow_format: run.flowStyle,
          flow_records: run.flowReport.records,
          unreadable_flow_records: run.flowReport.issues.total,
          matched: e.matched,
          unmatched: e.unmatched,
          unmatched_bytes_share: e.totalBytes > 0 ? e.unmatchedBytes / e.totalBytes : 0,
          prefixes_with_traffic: e.prefixIds.length,
          bins: e.bins,
          bin_seconds: e.binSeconds,
          total_mean_mbps: e.meanMbps.reduce((s, x) => s + x, 0),
          seconds,
        };
        ctx.stderr.write(
          `${summary.prefixes.toLocaleString('en-US')} prefixes from ${summary.providers} providers; ${summary.flow_records.toLocaleString('en-US')} flow records (${summary.flow_format}), ` +
            `${summary.prefixes_with_traffic.toLocaleString('en-US')} prefixes with traffic, ${fmt(summary.total_mean_mbps)} Mbps mean over ${summary.bins} bins of ${summary.bin_seconds} s\n`,
        );
        if (e.unmatched > 0) ctx.stderr.write(`${ctx.color.yellow('note:')} ${e.unmatched.toLocaleString('en-US')} flow records (${(summary.unmatched_bytes_share * 100).toFixed(2)}% of bytes) matched no prefix in any provider table\n`);
        if (run.rib.unmatchedPeers.size > 0) {
          const peers = [...run.rib.unmatchedPeers.entries()].slice(0, 5).map(([k, v]) => `${k} (${v})`);
          ctx.stderr.write(`${ctx.color.yellow('note:')} lines from peers that match no provider were ignored: ${peers.join(', ')}${run.rib.unmatchedPeers.size > 5 ? ', ...' : ''}\n`);
        }
        if (o.json) printJson(ctx, summary);
        return 0;
      }),
    );

  routes
    .command('optimize')
    .description('assign each prefix with traffic to one provider: performance, cost, capacity with headroom, stability')
    .requiredOption('--routes <files...>', 'bgpdump -m output of each provider table')
    .requiredOption('--providers <file>', 'providers.csv')
    .requiredOption('--traffic <file>', 'traffic.csv from `routes traffic`')
    .option('--performance <file>', 'probe results time,prefix,provider,rtt_ms,loss_pct,jitter_ms')
    .option('--current <file>', 'current assignment prefix,provider (prices stability; enables withdrawals)')
    .option('--policy <file>', 'policy JSON (weights, headroom, move_penalty, min_improvement_ms, max_changes, local_pref)')
    .option('--max-changes <n>', 'at most this many optional moves away from --current (default: policy, 1000)')
    .option('--headroom <x>', 'usable share of each capacity (default: policy, 0.8)')
    .option('--method <m>', 'auto, milp, lp or lagrange', 'auto')
    .option('--time-limit <s>', 'HiGHS time limit in seconds', '60')
    .option('--inject <target>', 'also write route injection text: gobgp, exabgp or bird')
    .option('--inject-out <file>', 'where to write the injection text (default: --out with .gobgp/.exabgp/.bird.conf added)')
    .option('--providers-out <file>', 'write the per-provider before/after table as CSV')
    .option('--max-bad-share <x>', 'refuse when more than this share of a file is unreadable', '0.01')
    .option('--out <file>', 'plan.csv (default stdout)')
    .option('--json', 'print a JSON summary on stdout (needs --out)')
    .addHelpText(
      'after',
      '\nExample:\n  $ anyopt routes optimize --routes rib-a.txt rib-b.txt --providers providers.csv --traffic traffic.csv \\\n      --performance perf.csv --current current.csv --inject exabgp --out plan.csv\n',
    )
    .action(
      host.action(async (o: Record<string, string | string[] | boolean | undefined>, cmd: Command) => {
        const s = (k: string) => o[k] as string | undefined;
        const method = choiceOption<Method>('--method', s('method'), ['auto', 'milp', 'lp', 'lagrange'], 'auto');
        const inject = s('inject') === undefined ? undefined : choiceOption<InjectTarget>('--inject', s('inject'), ['gobgp', 'exabgp', 'bird'], 'gobgp');
        const maxBadShare = numberOption('--max-bad-share', s('maxBadShare'), { min: 0, max: 1 });
        const timeLimitS = numberOption('--time-limit', s('timeLimit'), { min: 0.1 });
        const out = s('out');
        if (o.json && (out === undefined || out === '-')) throw new UsageError('`--json` prints the summary on stdout, so the CSV needs `--out FILE`');
        let injectOut = s('injectOut');
        if (!inject && injectOut !== undefined) throw new UsageError('`--inject-out` needs `--inject gobgp|exabgp|bird` (which daemon the routes are for); nothing would be written there');
        if (inject && injectOut === undefined) {
          if (out === undefined || out === '-') throw new UsageError('`--inject` needs `--inject-out FILE` when the plan goes to stdout');
          injectOut = `${out}.${inject === 'bird' ? 'bird.conf' : inject}`;
          // The derived path gets the checks every given output had before the command ran.
          const label = '--inject-out (default: --out with its extension added)';
          const at = outputPath(ctx.cwd, injectOut);
          checkOutputAgainstInputs(label, injectOut, at, pathInputs(cmd, ctx.cwd));
          const providersOut = s('providersOut');
          if (providersOut !== undefined && providersOut !== '-' && outputPath(ctx.cwd, providersOut) === at) {
            throw new UsageError(`\`--providers-out\` ${providersOut} is the default \`--inject-out\` path: one would overwrite the other; give \`--inject-out FILE\``);
          }
        }
        let policy: Policy = s('policy') ? await readPolicy(pathOption(ctx.cwd, s('policy')!), s('policy')!) : parsePolicy({}, 'defaults');
        if (s('maxChanges') !== undefined) policy = { ...policy, max_changes: intOption('--max-changes', s('maxChanges'), { min: 0 }) };
        if (s('headroom') !== undefined) policy = { ...policy, headroom: numberOption('--headroom', s('headroom'), { min: 0.01, max: 1 }) };
        const t0 = ctx.now();
        const progress = spinner(ctx);
        const inputs = await loadOptimizeInputs({
          providers: fileArg(ctx, requiredOption('--providers', s('providers'))),
          routes: (o.routes as string[]).map((r) => fileArg(ctx, r)),
          traffic: fileArg(ctx, requiredOption('--traffic', s('traffic'))),
          performance: s('performance') ? fileArg(ctx, s('performance')!) : undefined,
          current: s('current') ? fileArg(ctx, s('current')!) : undefined,
          policy,
          maxBadShare,
          onProgress: (w, n) => progress.update(w, n),
        });
        progress.stop();
        warn(ctx, inputs.warnings);
        const { inst } = inputs;
        const tRead = ctx.now();
        const res = await optimizeRoutes(inst, loadSolver, { method, timeLimitS });
        const tSolve = ctx.now();
        if (res.status === 'infeasible') {
          ctx.stderr.write(`${ctx.color.red('no plan:')} ${res.notes.join('; ')}\n`);
          const sum = providerSummary(inst, res.assign);
          ctx.stderr.write(
            table(
              ['provider', 'needs Mbps (cheapest routes)', 'usable Mbps'],
              sum.map((p) => [p.provider, fmt(p.loadAfter), fmt(p.usable)]),
            ) + '\n',
          );
          return 1;
        }
        const rows = planRows(inst, res, policy.min_improvement_ms);
        const provName = (j: number) => (j >= 0 ? inst.providers[j].name : '');
        const summary = providerSummary(inst, res.assign);
        // Everything is computed before anything is written: outputs appear only on success.
        let injectText: string | undefined;
        if (inject && injectOut) {
          const planned = new Set(rows.map((r) => r.prefix));
          const withdraw = inputs.currentPrefixes.filter((p) => !planned.has(p));
          try {
            injectText = injectionText(inject, {
              routes: rows.map((r) => ({ prefix: r.prefix, provider: r.to })),
              withdraw,
              providers: inst.providers,
              localPref: policy.local_pref,
              announced: (prefix, j) => {
                const id = inputs.table.find(prefix);
                return id >= 0 && inputs.table.prefixes[id] === prefix && inputs.table.hasRoute(id, j);
              },
            });
          } catch (err) {
            if (err instanceof UnsafeInjectionError && err.inputProblem) throw InputError.single({ file: s('providers')!, expected: err.message });
            throw err;
          }
        }
        // The plan, the provider table and the injection text appear together: a new plan beside
        // old injection text (what gets pushed to the routers) must not happen.
        await withCsvSinks(ctx, async (open) => {
          const sink = await open(out);
          await sink.write('prefix,from,to,reason,traffic_mbps,rtt_ms_before,rtt_ms_after\n');
          let buf = '';
          for (const r of rows) {
            buf += csvLine([r.prefix, provName(r.from), provName(r.to), r.reason, n2(r.trafficMbps), n2(r.rttBefore), n2(r.rttAfter)]);
            if (buf.length > 1 << 16) {
              await sink.write(buf);
              buf = '';
            }
          }
          if (buf) await sink.write(buf);
          if (s('providersOut')) {
            const ps = await open(s('providersOut'));
            await ps.write('provider,prefixes_before,prefixes_after,load_mbps_before,load_mbps_after,usable_mbps,cost_before,cost_after,rtt_ms_before,rtt_ms_after\n');
            for (const p of summary) await ps.write(csvLine([p.provider, p.prefixesBefore, p.prefixesAfter, n2(p.loadBefore), n2(p.loadAfter), n2(p.usable), n2(p.costBefore), n2(p.costAfter), n2(p.rttBefore), n2(p.rttAfter)]));
          }
          if (injectText !== undefined) await (await open(injectOut)).write(injectText);
        });
        const injected = injectText !== undefined ? rows.length : 0;
        const before = beforeAssignment(inst);
        const reasons: Record<string, number> = {};
        for (const r of rows) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
        const moved = rows.filter((r) => r.to !== before[r.index]).length;
        const json = {
          prefixes: inst.n,
          providers: inst.m,
          method: res.method,
          status: res.status,
          objective: res.objective,
          lp_bound: res.bound,
          gap: res.gap,
          moves: res.moves,
          changed_from_before: moved,
          reasons,
          mean_rtt_ms_before: meanRtt(inst, before),
          mean_rtt_ms_after: meanRtt(inst, res.assign),
          unroutable_prefixes: inputs.unroutable.length,
          unknown_traffic_prefixes: inputs.unknownTrafficPrefixes,
          unknown_performance_prefixes: inputs.unknownPerfPrefixes,
          injected_routes: injected,
          read_seconds: (tRead - t0) / 1000,
          solve_seconds: (tSolve - tRead) / 1000,
          // The --providers-out columns (and the capacity the usable Mbps comes from).
          providers_table: summary.map((p) => ({
            provider: p.provider,
            prefixes_before: p.prefixesBefore,
            prefixes_after: p.prefixesAfter,
            load_mbps_before: p.loadBefore,
            load_mbps_after: p.loadAfter,
            usable_mbps: p.usable,
            capacity_mbps: p.capacity,
            cost_before: p.costBefore,
            cost_after: p.costAfter,
            rtt_ms_before: p.rttBefore,
            rtt_ms_after: p.rttAfter,
          })),
          notes: res.notes,
        };
        ctx.stderr.write(
          table(
            ['provider', 'prefixes', 'load Mbps before', 'after', 'usable', '$ before', '$ after', 'RTT before', 'after'],
            summary.map((p) => [p.provider, `${p.prefixesBefore} -> ${p.prefixesAfter}`, fmt(p.loadBefore), fmt(p.loadAfter), fmt(p.usable), fmt(p.costBefore), fmt(p.costAfter), ms(p.rttBefore), ms(p.rttAfter)]),
          ) + '\n',
        );
        ctx.stderr.write(
          `${inst.n.toLocaleString('en-US')} prefixes with traffic; ${moved.toLocaleString('en-US')} change provider; mean RTT ${ms(json.mean_rtt_ms_before)} -> ${ms(json.mean_rtt_ms_after)} ms; ` +
            `method ${res.method}, ${res.status}, gap to LP bound ${(res.gap * 100).toFixed(3)}%; solved in ${fmt(json.solve_seconds, 2)} s\n`,
        );
        for (const note of res.notes) ctx.stderr.write(`${ctx.color.yellow('note:')} ${note}\n`);
        if (inputs.unroutable.length > 0) ctx.stderr.write(`${ctx.color.yellow('note:')} ${inputs.unroutable.length} prefixes with traffic have no route from any provider and are not in the plan (first: ${inputs.unroutable[0]})\n`);
        if (inputs.unknownTrafficPrefixes > 0) ctx.stderr.write(`${ctx.color.yellow('note:')} ${inputs.unknownTrafficPrefixes} traffic rows name prefixes in no provider table\n`);
        if (o.json) printJson(ctx, json);
        return 0;
      }),
    );

  routes
    .command('sim')
    .description('write the routes twin (a multihomed network built on the sim twin: its AS graph and clients): providers, bgpdump -m tables, flows, probe results before/after scripted events')
    .requiredOption('--out <dir>', 'folder to write (created)')
    .option('--providers <n>', 'number of providers, 4 to 8', '6')
    .option('--prefixes <n>', 'prefixes in the union table', '4000')
    .option('--flows <n>', 'flow records over the day', '200000')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText('after', '\nExample:\n  $ anyopt routes sim --out twin --providers 6 --seed 7\n')
    .action(
      host.action(async (o: { out: string; providers: string; prefixes: string; flows: string; seed: string; json?: boolean }) => {
        const params = {
          providers: intOption('--providers', o.providers, { min: 4, max: 8 }),
          prefixes: intOption('--prefixes', o.prefixes, { min: 50, max: 2_000_000 }),
          flows: intOption('--flows', o.flows, { min: 1000, max: 100_000_000 }),
          seed: seedOption(o.seed),
        };
        const written = await writeTwin(pathOption(ctx.cwd, o.out), params);
        ctx.stderr.write(`routes twin in ${o.out}/: ${written.files.map((f) => basename(f)).join(', ')}\n`);
        ctx.stderr.write(`events: ${written.events.map((e) => e.description).join('; ')}\n`);
        if (o.json) printJson(ctx, { dir: o.out, ...params, files: written.files.map((f) => basename(f)), events: written.events });
        return 0;
      }),
    );

  routes
    .command('demo')
    .description("run the loop on the twin: traffic, optimize, one provider's latency rises by 60 ms, optimize again, a link fails, optimize again")
    .option('--dir <dir>', 'keep the twin and outputs here (default: a temporary folder)')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText('after', '\nExample:\n  $ anyopt routes demo --dir demo-out\n')
    .action(
      host.action(async (o: { dir?: string; seed: string; json?: boolean }) => {
        const seed = seedOption(o.seed);
        const r = await runDemo({ dir: o.dir ? pathOption(ctx.cwd, o.dir) : undefined, seed, solver: loadSolver, log: (line) => ctx.stderr.write(line + '\n') });
        if (o.json) printJson(ctx, r);
        return r.passed ? 0 : 1;
      }),
    );
}
