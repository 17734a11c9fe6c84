/**
 * Writes the routes twin to a folder (the same formats a real deployment
 * feeds to `routes traffic` and `routes optimize`) and runs `routes demo`:
 * traffic, a first plan, the latency event, the plan of the first run after
 * it, then the link failure and its plan, checking each against the twin's
 * ground truth (traffic leaves the degraded provider, everything fits its
 * usable capacity, no prefix without a route).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Solver } from '../../solver/solver.js';
import { csvLine } from '../csv.js';
import { AtomicWriter, OutputGroup, trackTempDir } from '../write.js';
import { DEFAULT_POLICY, type Policy } from '../../routes/model.js';
import { optimizeRoutes, type OptimizeResult } from '../../routes/optimize.js';
import { beforeAssignment, meanRtt, planRows, providerSummary } from '../../routes/plan.js';
import { TRAFFIC_HEADER, trafficLines } from '../../routes/traffic.js';
import { failureUpdateLines, flowLines, generateTwin, perfLines, ribLines, type Twin, type TwinEvent, type TwinParams } from '../../routes/twin.js';
import { loadOptimizeInputs, runTrafficPipeline, type FileArg } from './pipeline.js';

/** Write lines to `path`, on its own or (with `group`) as one of a group committed together. */
async function writeLines(path: string, header: string | undefined, lines: Iterable<string>, group?: OutputGroup): Promise<void> {
  const w = group ? await group.open(path) : await AtomicWriter.open(path);
  try {
    if (header) await w.write(header + '\n');
    let buf = '';
    for (const l of lines) {
      buf += l + '\n';
      if (buf.length >= 1 << 16) {
        await w.write(buf);
        buf = '';
      }
    }
    if (buf) await w.write(buf);
    if (group) await w.finish();
    else await w.commit();
  } catch (err) {
    if (!group) await w.abort();
    throw err;
  }
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

export interface TwinFiles {
  twin: Twin;
  files: string[];
  events: TwinEvent[];
  ribs: string[];
}

/** The twin's files, written as one group: an interrupt leaves the folder all old or all new. */
export async function writeTwin(dir: string, params: TwinParams): Promise<TwinFiles> {
  const twin = generateTwin(params);
  const g = new OutputGroup();
  try {
    return await writeTwinFiles(dir, params, twin, g);
  } catch (err) {
    await g.abort();
    throw err;
  }
}

async function writeTwinFiles(dir: string, params: TwinParams, twin: Twin, g: OutputGroup): Promise<TwinFiles> {
  const files: string[] = [];
  const out = (name: string) => {
    const p = join(dir, name);
    files.push(p);
    return p;
  };
  await writeLines(
    out('providers.csv'),
    'provider,asn,peer_ip,next_hop,next_hop_v6,capacity_mbps,commit_mbps,price_per_mbps,overage_price_per_mbps',
    twin.providers.map((p) => csvLine([p.name, p.asn, p.peerIp, p.nextHop, p.nextHopV6, p.capacityMbps, p.commitMbps, p.pricePerMbps, p.overagePricePerMbps]).trimEnd()), g);
  const ribs: string[] = [];
  for (let j = 0; j < twin.providers.length; j++) {
    const p = out(`rib-${twin.providers[j].name}.txt`);
    ribs.push(p);
    await writeLines(p, undefined, ribLines(twin, j), g);
  }
  await writeLines(out(`updates-${twin.providers[twin.failed].name}-failure.txt`), undefined, failureUpdateLines(twin), g);
  await writeLines(out('flows.csv'), 'time,dst_addr,bytes,packets,sampling_rate', flowLines(twin), g);
  const perfHeader = 'time,prefix,provider,rtt_ms,loss_pct,jitter_ms';
  await writeLines(out('perf-before.csv'), perfHeader, perfLines(twin, 'before'), g);
  await writeLines(out('perf-after-latency.csv'), perfHeader, perfLines(twin, 'after-latency'), g);
  await writeLines(out('perf-after-failure.csv'), perfHeader, perfLines(twin, 'after-failure'), g);
  await writeLines(out('events.json'), undefined, [JSON.stringify({ seed: params.seed, events: twin.events }, null, 2)], g);
  await g.commit();
  return { twin, files, events: twin.events, ribs };
}

export interface DemoStep {
  name: string;
  method: string;
  status: string;
  gap: number;
  moves: number;
  meanRttBefore: number;
  meanRttAfter: number;
  providers: Array<{ provider: string; loadBefore: number; loadAfter: number; usable: number; rttAfter: number }>;
}

export interface DemoResult {
  /** Where the files are; null when they were in a temporary folder, removed at the end. */
  dir: string | null;
  degraded: string;
  failed: string;
  /** Load (95th-percentile Mbps) on the degraded provider: first plan, first plan after the event. */
  degradedLoadBefore: number;
  degradedLoadAfter: number;
  failedLoadAfter: number;
  withinCapacity: boolean;
  passed: boolean;
  steps: DemoStep[];
}

type DemoOptions = { dir?: string; seed: number; params?: Partial<TwinParams>; solver: () => Promise<Solver>; log: (line: string) => void };

/** Run the demo in `opts.dir`, or in a temporary folder that is removed afterwards. */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  if (opts.dir !== undefined) return runDemoIn(opts.dir, opts);
  const dir = await mkdtemp(join(tmpdir(), 'anyopt-routes-demo-'));
  trackTempDir(dir, true); // an interrupt removes it too
  try {
    return { ...(await runDemoIn(dir, opts, true)), dir: null };
  } finally {
    await rm(dir, { recursive: true, force: true });
    trackTempDir(dir, false);
  }
}

async function runDemoIn(dir: string, opts: DemoOptions, temporary = false): Promise<DemoResult> {
  const params: TwinParams = { providers: 6, prefixes: 4000, flows: 200_000, ...opts.params, seed: opts.seed };
  const log = opts.log;
  log(
    `routes twin (seed ${opts.seed}): ${params.providers} providers, ${params.prefixes} prefixes, ${params.flows.toLocaleString('en-US')} flow records over a day -> ${dir}` +
      (temporary ? ' (a temporary folder, removed at the end: --dir DIR keeps the files)' : ''),
  );
  const tf = await writeTwin(dir, params);
  const fa = (p: string): FileArg => ({ path: p, label: p.slice(dir.length + 1) });
  const providers = fa(join(dir, 'providers.csv'));
  const routes = tf.ribs.map(fa);
  const traffic = await runTrafficPipeline({ providers, routes, flows: fa(join(dir, 'flows.csv')), maxBadShare: 0.01 });
  const e = traffic.estimate;
  const trafficPath = join(dir, 'traffic.csv');
  await writeLines(trafficPath, TRAFFIC_HEADER, trafficLines(e, traffic.table.prefixes));
  log(`1. traffic: ${e.matched.toLocaleString('en-US')} flows matched, ${e.unmatched} unmatched; ${e.prefixIds.length} prefixes with traffic, ${e.meanMbps.reduce((s, x) => s + x, 0).toFixed(0)} Mbps mean`);
  const policy: Policy = { ...DEFAULT_POLICY, weights: { ...DEFAULT_POLICY.weights }, max_changes: 5000 };
  const steps: DemoStep[] = [];
  let currentPath: string | undefined;
  let withinCapacity = true;
  const run = async (name: string, perf: string, extraRoutes: string[], planName: string) => {
    const inputs = await loadOptimizeInputs({
      providers,
      routes: [...routes, ...extraRoutes.map(fa)],
      traffic: fa(trafficPath),
      performance: fa(join(dir, perf)),
      current: currentPath ? fa(currentPath) : undefined,
      policy,
      maxBadShare: 0.01,
    });
    const res: OptimizeResult = await optimizeRoutes(inputs.inst, opts.solver, {});
    const inst = inputs.inst;
    const rows = planRows(inst, res, policy.min_improvement_ms);
    const planPath = join(dir, planName);
    const w = await AtomicWriter.open(planPath);
    await w.write('prefix,from,to,reason,traffic_mbps,rtt_ms_before,rtt_ms_after\n');
    const nm = (j: number) => (j >= 0 ? inst.providers[j].name : '');
    for (const r of rows) await w.write(csvLine([r.prefix, nm(r.from), nm(r.to), r.reason, r.trafficMbps.toFixed(3), Number.isNaN(r.rttBefore) ? '' : r.rttBefore.toFixed(2), Number.isNaN(r.rttAfter) ? '' : r.rttAfter.toFixed(2)]));
    await w.commit();
    const cw = await AtomicWriter.open(join(dir, `current-after-${planName}`));
    await cw.write('prefix,provider\n');
    for (const r of rows) await cw.write(`${r.prefix},${nm(r.to)}\n`);
    await cw.commit();
    currentPath = join(dir, `current-after-${planName}`);
    const sum = providerSummary(inst, res.assign);
    if (res.status === 'infeasible' || sum.some((p) => p.loadAfter > p.usable + 1e-6)) withinCapacity = false;
    const step: DemoStep = {
      name,
      method: res.method,
      status: res.status,
      gap: res.gap,
      moves: rows.filter((r) => r.to !== beforeAssignment(inst)[r.index]).length,
      meanRttBefore: meanRtt(inst, beforeAssignment(inst)),
      meanRttAfter: meanRtt(inst, res.assign),
      providers: sum.map((p) => ({ provider: p.provider, loadBefore: p.loadBefore, loadAfter: p.loadAfter, usable: p.usable, rttAfter: p.rttAfter })),
    };
    steps.push(step);
    log(`${name}: ${step.moves} prefixes change provider; mean RTT ${step.meanRttBefore.toFixed(1)} -> ${step.meanRttAfter.toFixed(1)} ms; ${res.method} ${res.status}, gap to LP bound ${(res.gap * 100).toFixed(3)}%`);
    for (const p of sum) log(`     ${p.provider.padEnd(16)} ${p.loadBefore.toFixed(0).padStart(6)} -> ${p.loadAfter.toFixed(0).padStart(6)} Mbps (usable ${p.usable.toFixed(0)})  RTT ${ms(p.rttBefore)} -> ${ms(p.rttAfter)} ms`);
    return { sum, res };
  };
  const degradedName = tf.twin.providers[tf.twin.degraded].name;
  const failedName = tf.twin.providers[tf.twin.failed].name;
  await run('2. first plan (BGP default -> optimized)', 'perf-before.csv', [], 'plan-1.csv');
  log(`   event: ${tf.events[0].description}`);
  const s2 = await run('3. first run after the latency event', 'perf-after-latency.csv', [], 'plan-2.csv');
  log(`   event: ${tf.events[1].description}`);
  const s3 = await run('4. first run after the link failure', 'perf-after-failure.csv', [join(dir, `updates-${failedName}-failure.txt`)], 'plan-3.csv');
  const dj = tf.twin.degraded;
  const degradedLoadBefore = s2.sum[dj].loadBefore;
  const degradedLoadAfter = s2.sum[dj].loadAfter;
  const failedLoadAfter = s3.sum[tf.twin.failed].loadAfter;
  const passed = withinCapacity && degradedLoadAfter < 0.5 * degradedLoadBefore && failedLoadAfter === 0;
  log(
    `result: ${degradedName} carried ${(degradedLoadBefore / 1000).toFixed(2)} Gbps before the event and ${(degradedLoadAfter / 1000).toFixed(2)} Gbps in the first run after it ` +
      `(${((degradedLoadBefore - degradedLoadAfter) / 1000).toFixed(2)} Gbps moved); ${failedName} carries ${failedLoadAfter.toFixed(0)} Mbps after its link failed; ` +
      `${withinCapacity ? 'every provider within its usable capacity' : 'CAPACITY EXCEEDED'} -> ${passed ? 'PASS' : 'FAIL'}`,
  );
  return { dir, degraded: degradedName, failed: failedName, degradedLoadBefore, degradedLoadAfter, failedLoadAfter, withinCapacity, passed, steps };
}
