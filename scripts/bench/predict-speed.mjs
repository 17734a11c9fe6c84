// Speed of `predict` after loading: (1) one subset over 1,000,000 targets x 100 sites;
// (2) a what-if table of 1,000 subsets over 15,000 targets x 15 sites.
// Synthetic models: a random preference order per target (Fisher-Yates), random RTTs.
// Prints medians of 5 runs and the process's peak RSS.
// Run: npm run build && node scripts/bench/predict-speed.mjs
import os from 'node:os';
import { emptyModel } from '../../dist/orders/model.js';
import { announcedMask, predictSubset, summarizeSubset, SummaryScratch } from '../../dist/predict/predict.js';
import { randomSubsets } from '../../dist/evaluate/evaluate.js';

console.log(`machine: ${os.cpus().length} cpus (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);

function syntheticModel(T, S, seed) {
  const siteIds = Array.from({ length: S }, (_, i) => `s${i}`);
  const targetIds = Array.from({ length: T }, (_, i) => `t${i}`);
  const m = emptyModel(siteIds, targetIds);
  let x = seed >>> 0 || 1;
  const rnd = () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
  for (let t = 0; t < T; t++) {
    const base = t * S;
    for (let k = 0; k < S; k++) m.orders[base + k] = k;
    for (let k = S - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      const tmp = m.orders[base + k];
      m.orders[base + k] = m.orders[base + j];
      m.orders[base + j] = tmp;
    }
    m.orderLength[t] = S;
    m.status[t] = 0;
    m.confidence[t] = 1;
  }
  for (let i = 0; i < T * S; i++) m.rttMs[i] = 5 + rnd() * 200;
  m.rttSource.fill(0);
  return m;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const runs = 5;

{
  const T = 1_000_000;
  const S = 100;
  let t0 = performance.now();
  const model = syntheticModel(T, S, 12345);
  console.log(`\n1) ${T.toLocaleString('en-US')} targets x ${S} sites; model built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const k of [20, 5, 1]) {
    const subset = model.siteIds.slice(0, k);
    const mask = announcedMask(model, subset);
    const times = [];
    let pred;
    for (let r = 0; r < runs; r++) {
      t0 = performance.now();
      pred = predictSubset(model, mask, pred);
      const s = summarizeSubset(model, mask);
      times.push(performance.now() - t0);
      if (r === 0 && s.predicted !== T) throw new Error('prediction missed targets');
    }
    console.log(`   subset of ${String(k).padStart(2)} sites: per-target prediction + summary, median ${median(times).toFixed(0)} ms (runs: ${times.map((x) => x.toFixed(0)).join(', ')})`);
  }
  console.log(`   peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

{
  const T = 15_000;
  const S = 15;
  const model = syntheticModel(T, S, 777);
  const subsets = randomSubsets(model.siteIds, 1000, 1);
  const masks = subsets.map((s) => announcedMask(model, s));
  const scratch = new SummaryScratch(S);
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    let acc = 0;
    for (const m of masks) acc += summarizeSubset(model, m, { scratch }).meanRttMs;
    times.push(performance.now() - t0);
    if (!(acc > 0)) throw new Error('no result');
  }
  console.log(`\n2) 1,000 subsets x ${T.toLocaleString('en-US')} targets x ${S} sites (what-if summaries): median ${median(times).toFixed(0)} ms (runs: ${times.map((x) => x.toFixed(0)).join(', ')})`);
}
