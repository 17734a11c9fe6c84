// Accuracy of `orders` + `predict` against the default twin (a benchmark, not a test).
// Campaigns: `pairwise` (every site alone + every pair, site-list order) and `provider`
// (every site alone + one representative pair per provider pair + every pair inside a provider),
// and `both-orders` (every pair announced both ways round: finds order-sensitive targets).
// Observations come from noisy probes of the twin's catchments (probeCatchment when the
// simulator exports it, else 1% loss and 1 ms jitter applied here), then `inferOrders`,
// then `evaluateAgainstTwin` over 40 random subsets (seed 1).
// Run: npm run build && node scripts/bench/orders-accuracy.mjs [--targets 15000] [--subsets 40]
import os from 'node:os';
import * as sim from '../../dist/sim/index.js';
import { inferOrders } from '../../dist/orders/infer.js';
import { evaluateAgainstTwin } from '../../dist/evaluate/evaluate.js';
import { createRng } from '../../dist/util/random.js';

const arg = (k, d) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const targets = arg('--targets', sim.DEFAULT_GENERATE.targets);
const nSubsets = arg('--subsets', 40);
console.log(`machine: ${os.cpus().length} cpus (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);

let t0 = performance.now();
const scenario = sim.generateScenario({ ...sim.DEFAULT_GENERATE, targets });
const twin = sim.buildTwin(scenario);
console.log(`twin: ${twin.siteIds.length} sites, ${twin.targetIds.length} targets, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const providerOf = new Map(scenario.sites.map((s) => [s.site, s.provider]));

function campaign(kind) {
  const S = twin.siteIds;
  const exps = S.map((s) => [s]);
  if (kind === 'pairwise' || kind === 'both-orders') {
    for (let a = 0; a < S.length; a++) for (let b = a + 1; b < S.length; b++) exps.push([S[a], S[b]]);
    if (kind === 'both-orders') for (let a = 0; a < S.length; a++) for (let b = a + 1; b < S.length; b++) exps.push([S[b], S[a]]);
  } else {
    const rep = new Map();
    for (const s of S) if (!rep.has(providerOf.get(s))) rep.set(providerOf.get(s), s);
    for (let a = 0; a < S.length; a++)
      for (let b = a + 1; b < S.length; b++) {
        const pa = providerOf.get(S[a]);
        const pb = providerOf.get(S[b]);
        if (pa === pb || (rep.get(pa) === S[a] && rep.get(pb) === S[b])) exps.push([S[a], S[b]]);
      }
  }
  return exps;
}

function observe(exps, seed) {
  const T = twin.targetIds.length;
  const rows = exps.length * T;
  const experiment = new Uint32Array(rows);
  const target = new Uint32Array(rows);
  const site = new Int16Array(rows);
  const rttMs = new Float32Array(rows);
  const rng = createRng(seed);
  const siteIndex = new Map(twin.siteIds.map((s, i) => [s, i]));
  let r = 0;
  exps.forEach((sites, e) => {
    const truth = sim.computeCatchment(twin, { sites });
    const probed = typeof sim.probeCatchment === 'function' ? sim.probeCatchment(twin, truth, seed * 1000 + e) : null;
    for (let t = 0; t < T; t++) {
      experiment[r] = e;
      target[r] = t;
      let s = probed ? probed.site[t] : truth.site[t];
      let rtt = probed ? probed.rttMs[t] : truth.rttMs[t];
      if (!probed && s >= 0) {
        if (rng.next() < twin.knobs.probeLoss) s = -1;
        else rtt = Math.max(0.1, rtt + rng.normal() * twin.knobs.probeJitterMs);
      }
      // twin site index -> observation site index (same ids, in the table's order)
      site[r] = s < 0 ? -1 : siteIndex.get(twin.siteIds[s]);
      rttMs[r] = s < 0 ? NaN : rtt;
      r++;
    }
  });
  return {
    experiments: exps.map((a, e) => ({ id: `e${e}`, announced: a })),
    siteIds: twin.siteIds.slice(),
    targetIds: twin.targetIds.slice(),
    rows, experiment, target, site, rttMs,
  };
}

const results = {};
for (const kind of ['pairwise', 'provider', 'both-orders']) {
  const exps = campaign(kind);
  t0 = performance.now();
  const table = observe(exps, { pairwise: 1, provider: 2, 'both-orders': 3 }[kind]);
  const tObs = performance.now() - t0;
  t0 = performance.now();
  const { model, stats } = inferOrders(table, { siteProvider: providerOf });
  const tInfer = performance.now() - t0;
  t0 = performance.now();
  const rep = evaluateAgainstTwin(model, { siteIds: twin.siteIds, targetIds: twin.targetIds, targetWeight: twin.targetWeight, catchment: (sites) => sim.computeCatchment(twin, { sites }) }, { subsets: nSubsets, seed: 1 });
  const tEval = performance.now() - t0;
  results[kind] = { experiments: exps.length, rep };
  console.log(`\n${kind}: ${exps.length} experiments (observed in ${(tObs / 1000).toFixed(1)} s; probes: ${typeof sim.probeCatchment === 'function' ? 'probeCatchment' : 'bench noise'})`);
  console.log(`  orders in ${(tInfer / 1000).toFixed(2)} s: ${JSON.stringify(stats.status)}, order-sensitive ${stats.orderSensitive}, inferred pairs ${stats.pairsInferred}, mean confidence ${stats.meanConfidence.toFixed(3)}`);
  console.log(`  evaluate ${rep.subsets} subsets in ${(tEval / 1000).toFixed(1)} s: accuracy ${(100 * rep.accuracy).toFixed(2)}% (weighted ${(100 * rep.weightedAccuracy).toFixed(2)}%), coverage ${(100 * rep.coverage).toFixed(2)}%`);
  console.log(`  RTT: mean abs error ${rep.rtt.meanAbsErrorMs.toFixed(2)} ms (${rep.rtt.meanAbsErrorPct.toFixed(2)}% per target), error of mean RTT ${rep.rtt.meanRttErrorPct.toFixed(2)}%, p50 ${rep.rtt.p50AbsErrorMs.toFixed(2)} ms, p90 ${rep.rtt.p90AbsErrorMs.toFixed(2)} ms, under 8 ms ${(100 * rep.rtt.shareUnder8Ms).toFixed(1)}%`);
  const confBy = [0, 0, 0, 0];
  const nBy = [0, 0, 0, 0];
  for (let t = 0; t < model.targetIds.length; t++) {
    confBy[model.status[t]] += model.confidence[t];
    nBy[model.status[t]]++;
  }
  console.log(`  mean confidence by status: ${['total', 'cyclic', 'partial'].map((s, i) => `${s} ${nBy[i] ? (confBy[i] / nBy[i]).toFixed(3) : '-'}`).join(', ')}`);
  console.log(`  by status: ${Object.entries(rep.byStatus).map(([s, v]) => `${s} ${v.compared ? (100 * v.accuracy).toFixed(1) + '% of ' + v.compared : '-'}`).join(', ')}`);
}
console.log(`\nprovider campaign uses ${(100 * results.provider.experiments / results.pairwise.experiments).toFixed(0)}% of the pairwise campaign's experiments`);
