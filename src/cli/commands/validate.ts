/**
 * `anyopt validate`: the CI gate for announcement plans. Reads plan.json,
 * the preference model and policy.json (and optionally a baseline plan),
 * checks every rule (src/validate/rules.ts), prints each result, writes a
 * JUnit report on request. Exit 0 when every rule holds, 1 on any violation,
 * 2 on bad input. Never loads the solver.
 */
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import { EXIT } from '../host.js';
import { intOption, pathOption, requiredOption } from '../options.js';
import { printJson, withCsvSinks } from '../output.js';
import { csvLine } from '../../io/csv.js';
import { InputError, UsageError } from '../../io/issues.js';
import { readPlan, type PlanRef } from '../../io/plan.js';
import { readPolicy } from '../../io/policy.js';
import type { PreferenceModel } from '../../orders/model.js';
import { validatePlan } from '../../validate/rules.js';
import { renderJunit, worstLines } from '../../validate/junit.js';
import { readModelInputs } from './optimize.js';

function planSites(model: PreferenceModel, plan: PlanRef, label: string): number[] {
  const unknown = plan.sites.filter((s) => !model.siteIds.includes(s));
  if (unknown.length > 0) {
    throw InputError.single({ file: label, column: 'sites', expected: `must name sites of the preference model (${model.siteIds.slice(0, 12).join(', ')}${model.siteIds.length > 12 ? ', ...' : ''})`, received: unknown.join(',') });
  }
  return plan.sites.map((s) => model.siteIds.indexOf(s));
}

export function registerValidate(program: Command, host: CommandHost): void {
  const { ctx } = host;
  program
    .command('validate')
    .description('check an announcement plan against a policy (CI gate): exit 0 all rules hold, 1 a rule is violated, 2 bad input')
    .option('--plan <file>', 'plan.json to check (from anyopt optimize, or written by hand)')
    .option('--orders <file>', 'orders.csv (preference order per target)')
    .option('--rtt <file>', 'rtt.csv (RTT per target and site)')
    .option('--weights <file>', 'targets.csv with target,weight columns (default: every target weighs 1)')
    .option('--policy <file>', 'policy.json with the rules')
    .option('--baseline <file>', 'the plan deployed today, for regression rules')
    .option('--junit <file>', 'write a JUnit XML report (one test case per rule)')
    .option('--worst <n>', 'worst targets listed per violated rule', '5')
    .option('--out <file>', 'write the rule results as CSV here (default: stdout)')
    .option('--json', 'print the results as JSON on stdout (the CSV then goes only to --out, when given)')
    .addHelpText(
      'after',
      `
Example:
  $ anyopt validate --plan plan.json --orders orders.csv --rtt rtt.csv --policy policy.json \\
      --baseline deployed-plan.json --junit report.xml

policy.json, every rule optional:
  {"maxMeanMs": 60, "maxP95Ms": 150, "minCoverage": 0.95, "maxSiteLoadShare": 0.3,
   "mustAnnounce": ["ams"], "mustNotAnnounce": ["mia"], "maxSites": 12, "maxMeanRegressionPct": 5}`,
    )
    .action(
      host.action(async (opts: Record<string, string | boolean | undefined>) => {
        const planPath = requiredOption('--plan', opts.plan as string | undefined);
        if (opts.json && opts.out === '-') throw new UsageError('`--json` prints the results on stdout, so the CSV needs `--out FILE` (not `-`)');
        const policyPath = requiredOption('--policy', opts.policy as string | undefined);
        const worst = intOption('--worst', opts.worst as string | undefined, { min: 0, default: 5 });
        const policy = await readPolicy(pathOption(ctx.cwd, policyPath), policyPath);
        const plan = await readPlan(pathOption(ctx.cwd, planPath), planPath);
        const baselinePath = opts.baseline as string | undefined;
        const baselinePlan = baselinePath !== undefined ? await readPlan(pathOption(ctx.cwd, baselinePath), baselinePath) : undefined;
        const { model, weight, weightsNote } = await readModelInputs(ctx, opts as { orders?: string; rtt?: string; weights?: string });
        if (weightsNote) ctx.stderr.write(`note: ${weightsNote}\n`);
        // A mistyped site is bad input in both site lists: it would silently turn mustNotAnnounce
        // off, and fail mustAnnounce as if the plan had left a real site out.
        for (const rule of ['mustAnnounce', 'mustNotAnnounce'] as const) {
          const unknown = (policy[rule] ?? []).filter((x) => !model.siteIds.includes(x));
          if (unknown.length > 0) {
            throw new UsageError(`${policyPath}: "${rule}" names ${unknown.map((x) => `"${x}"`).join(', ')}, not a site of ${opts.orders as string} (its sites: ${model.siteIds.slice(0, 20).join(', ')}${model.siteIds.length > 20 ? ', ...' : ''})`);
          }
        }
        const sites = planSites(model, plan, planPath);
        const baseline = baselinePlan ? planSites(model, baselinePlan, baselinePath!) : undefined;
        const v = validatePlan({ model, weight, plan: sites, baseline, policy, worst });

        const { color } = ctx;
        for (const r of v.results) {
          const mark = r.status === 'pass' ? color.green('pass') : r.status === 'fail' ? color.red('FAIL') : color.yellow('skip');
          ctx.stderr.write(`${mark}  ${r.message}\n`);
          if (r.status === 'fail' && r.worst.length > 0) ctx.stderr.write(`      worst targets:\n${worstLines(r).map((l) => `    ${l}`).join('\n')}\n`);
        }
        const passed = v.results.filter((r) => r.status === 'pass').length;
        const skipped = v.results.filter((r) => r.status === 'skip').length;
        ctx.stderr.write(`${passed} passed, ${v.failed} failed${skipped ? `, ${skipped} skipped` : ''} (${v.results.length} rule${v.results.length === 1 ? '' : 's'}, plan of ${sites.length} sites)\n`);

        // The JUnit report and the CSV (to --out whenever it is given, with --json too; else to
        // stdout unless --json takes it) appear together.
        await withCsvSinks(ctx, async (open) => {
          if (opts.junit !== undefined) await (await open(opts.junit as string)).write(renderJunit(v.results, { suite: policyPath }));
          if (opts.out !== undefined || !opts.json) {
            const sink = await open(opts.out as string | undefined);
            await sink.write(csvLine(['rule', 'status', 'measured', 'limit', 'message', 'worst_targets']));
            for (const r of v.results) {
              const measured = typeof r.measured === 'number' ? String(Math.round(r.measured * 1000) / 1000) : (r.measured ?? '');
              await sink.write(csvLine([r.rule, r.status, measured, String(r.limit), r.message, r.worst.map((w) => w.target).join(' ')]));
            }
          }
        });
        if (opts.json) printJson(ctx, { passed, failed: v.failed, skipped, results: v.results, predicted: v.summary, baseline: v.baseline ?? null });
        return v.failed > 0 ? EXIT.negative : EXIT.ok;
      }),
    );
}
