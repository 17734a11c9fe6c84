// Benchmark: `routes optimize` core at the scale (about 100,000 prefixes carrying
// traffic out of 800,000, over 8 providers), and where each method's limit lies.
// Each configuration runs in a child process so peak memory (maxRSS) is its own.
// Usage: npm run build && node scripts/bench/routes-optimize.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machine, median } from './routes-common.mjs';

const self = fileURLToPath(import.meta.url);

async function child(method, n, m, seed) {
  const { buildInstance, DEFAULT_POLICY } = await import('../../dist/routes/model.js');
  const { optimizeRoutes } = await import('../../dist/routes/optimize.js');
  const { loadSolver } = await import('../../dist/solver/solver.js');
  const { createRng } = await import('../../dist/util/random.js');
  const rng = createRng(seed);
  const providers = Array.from({ length: m }, (_, j) => ({
    name: `p${j}`, asn: 64500 + j, peerIp: '', nextHop: '192.0.2.1', nextHopV6: '',
    capacityMbps: 40000, commitMbps: 5000, pricePerMbps: 0.3 + 0.05 * j, overagePricePerMbps: 0.5 + 0.05 * j,
  }));
  const meanMbps = new Float64Array(n);
  const loadMbps = new Float64Array(n);
  const allowed = new Uint8Array(n * m);
  const rtt = new Float64Array(n * m).fill(NaN);
  const loss = new Float64Array(n * m).fill(0);
  const jitter = new Float64Array(n * m).fill(0);
  const currentGiven = new Int32Array(n).fill(-1);
  const bgp = new Int32Array(n);
  const quality = Array.from({ length: m }, () => 0.85 + 0.35 * rng.next());
  // Total busy-hour load about 60% of the total usable capacity: the best providers fill up.
  const scale = (0.6 * 0.8 * 40000 * m) / 1.5 / n;
  for (let i = 0; i < n; i++) {
    const t = (scale * Math.exp(1.2 * rng.normal())) / Math.exp(0.72);
    meanMbps[i] = t;
    loadMbps[i] = t * 1.5;
    const base = 20 + 160 * rng.next();
    const options = [];
    for (let j = 0; j < m; j++) {
      if (rng.next() < 0.95 || (j === m - 1 && options.length === 0)) {
        allowed[i * m + j] = 1;
        rtt[i * m + j] = base * quality[j] * (0.9 + 0.35 * rng.next());
        options.push(j);
      }
    }
    bgp[i] = options[0];
    currentGiven[i] = rng.next() < 0.9 ? options[rng.int(options.length)] : -1;
  }
  const prefixes = Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
  const t0 = performance.now();
  const inst = buildInstance({ providers, prefixes, meanMbps, loadMbps, allowed, rtt, loss, jitter, currentGiven, bgp, policy: { ...DEFAULT_POLICY, max_changes: Math.floor(n / 10) } });
  const t1 = performance.now();
  let status;
  let res;
  try {
    res = await optimizeRoutes(inst, loadSolver, { method, timeLimitS: 300 });
    status = res.status;
  } catch (err) {
    status = `error: ${String(err?.message ?? err).slice(0, 60)}`;
  }
  const t2 = performance.now();
  const out = { method, n, m, build_s: (t1 - t0) / 1000, solve_s: (t2 - t1) / 1000, status, gap: res?.gap, moves: res?.moves, maxrss_mb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(out) + '\n');
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]));
} else {
  const quick = process.argv.includes('--quick');
  console.log(`machine: ${machine()}`);
  console.log('instance: n prefixes with traffic (of a union table of 8 x n), m providers, 95% route coverage, capacity binding, 10% max changes');
  const runs = quick ? 1 : 3;
  const configs = [
    ['lagrange', 100000, 8], ['lagrange', 200000, 8], ['lagrange', 400000, 8],
    ['lp', 10000, 8], ['lp', 25000, 8], ['lp', 50000, 8], ['lp', 100000, 8], ['lp', 200000, 8],
    ['milp', 500, 8], ['milp', 2000, 8],
  ];
  const filter = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  for (const [method, n, m] of configs) {
    if (filter && !filter.split(',').includes(`${method}:${n}`)) continue;
    const results = [];
    for (let r = 0; r < runs; r++) {
      try {
        const txt = execFileSync(process.execPath, ['--max-old-space-size=4096', self, '--child', method, String(n), String(m), String(r + 1)], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
        results.push(JSON.parse(txt.trim().split('\n').pop()));
      } catch (err) {
        results.push({ status: `crashed (${err.status ?? err.signal})`, solve_s: NaN, maxrss_mb: NaN });
      }
    }
    const ok = results.filter((x) => Number.isFinite(x.solve_s));
    console.log(
      `${method.padEnd(8)} n=${String(n).padStart(6)} m=${m}: solve median ${ok.length ? median(ok.map((x) => x.solve_s)).toFixed(2) : '-'} s ` +
        `(runs: ${results.map((x) => (Number.isFinite(x.solve_s) ? x.solve_s.toFixed(2) : 'x')).join(', ')}), ` +
        `peak RSS median ${ok.length ? median(ok.map((x) => x.maxrss_mb)).toFixed(0) : '-'} MB, status ${[...new Set(results.map((x) => x.status))].join('/')}, ` +
        `gap ${ok.length ? (median(ok.map((x) => x.gap ?? NaN)) * 100).toFixed(3) : '-'}%`,
    );
  }
}
