import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildTwin,
  catchmentFromState,
  computeCatchment,
  computeCatchmentSites,
  decideAt,
  generateScenario,
  ORIGIN_EDGE,
  runAnnouncement,
  scenarioStats,
  DEFAULT_GENERATE,
} from '../../src/sim/index.js';
import { writeScenario, readScenario, SCENARIO_FILES } from '../../src/io/scenario.js';
import { tempDir } from '../helpers.js';

const small = { seed: 11, sites: 8, providers: 4, targets: 3000, ases: 600 };

describe('generated scenarios', () => {
  it('are deterministic: same seed and options, same bytes and same catchment', async () => {
    const a = tempDir();
    const b = tempDir();
    await writeScenario(a, generateScenario(small));
    await writeScenario(b, generateScenario(small));
    for (const f of Object.values(SCENARIO_FILES)) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    const other = tempDir();
    await writeScenario(other, generateScenario({ ...small, seed: 12 }));
    expect(readFileSync(join(a, SCENARIO_FILES.targets)).equals(readFileSync(join(other, SCENARIO_FILES.targets)))).toBe(false);
    // Read back, compile, route: identical ground truth.
    const t1 = buildTwin(await readScenario(a));
    const t2 = buildTwin(generateScenario(small));
    const c1 = computeCatchment(t1, { sites: t1.siteIds });
    const c2 = computeCatchment(t2, { sites: t2.siteIds });
    expect(Array.from(c1.site)).toEqual(Array.from(c2.site));
    expect(Array.from(c1.rttMs)).toEqual(Array.from(c2.rttMs));
  });

  it('routes are valley-free, loop-free, and forwarding always ends at a site', () => {
    const scenario = generateScenario(small);
    const twin = buildTwin(scenario);
    const rel = new Map<string, 'up' | 'down' | 'flat'>();
    for (const r of scenario.relations) {
      // Direction in which a route travels over the link: from customer to provider is "up".
      rel.set(`${r.b}>${r.a}`, r.rel === -1 ? 'up' : 'flat');
      rel.set(`${r.a}>${r.b}`, r.rel === -1 ? 'down' : 'flat');
    }
    for (const s of scenario.sites) rel.set(`${scenario.config.operatorAsn}>${s.providerAsn}`, 'up');
    for (const s of scenario.sites) for (const p of s.peers) rel.set(`${scenario.config.operatorAsn}>${p}`, 'flat');
    const state = runAnnouncement(twin, { sites: twin.siteIds });
    let checked = 0;
    for (let p = 0; p < twin.popCount; p++) {
      const e = state.bestEdge[p];
      if (e < 0) continue;
      const asPath = [twin.asAsn[twin.popAs[p]], ...state.routes.path(state.ribIn[e]).map((a) => twin.asAsn[a])];
      // No AS twice (the origin appears once: no prepends here).
      expect(new Set(asPath).size).toBe(asPath.length);
      // Read from the origin towards the router: up*, at most one flat, then down*.
      const hops = asPath.slice().reverse();
      let phase = 0; // 0 up, 1 after the peer link or first down
      for (let i = 0; i + 1 < hops.length; i++) {
        const kind = rel.get(`${hops[i]}>${hops[i + 1]}`);
        expect(kind, `${hops[i]}>${hops[i + 1]}`).toBeDefined();
        if (kind === 'up') expect(phase, `valley in ${asPath.join(' ')}`).toBe(0);
        else phase = kind === 'flat' && phase === 0 ? 1 : kind === 'flat' ? 99 : Math.max(phase, 1);
        expect(phase).toBeLessThan(99);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(twin.popCount * 0.9);
    const c = catchmentFromState(state);
    const answering = Array.from(c.site).filter((s) => s >= 0).length;
    expect(answering).toBeGreaterThan(small.targets * 0.95);
  });

  it('the sites-only catchment (sim stats pairs) is the full catchment without its RTTs', () => {
    const twin = buildTwin(generateScenario(small));
    let caught = 0;
    for (const announce of [twin.siteIds, [twin.siteIds[3], twin.siteIds[0]], [twin.siteIds[0], twin.siteIds[3]], [twin.siteIds[5]]]) {
      const full = computeCatchment(twin, { sites: announce });
      const sites = computeCatchmentSites(twin, { sites: announce });
      expect(Array.from(sites)).toEqual(Array.from(full.site));
      caught += sites.filter((s) => s >= 0).length;
    }
    expect(caught).toBeGreaterThan(0);
  });

  it('the staged engine chooses exactly what the reference decision chain chooses, at every router', () => {
    const twin = buildTwin(generateScenario({ ...small, knobs: { preferOldestShare: 0.5 } }));
    for (const announce of [twin.siteIds, [twin.siteIds[3], twin.siteIds[0]], [twin.siteIds[0], twin.siteIds[3]]]) {
      const state = runAnnouncement(twin, { sites: announce });
      for (let p = 0; p < twin.popCount; p++) {
        const e = state.bestEdge[p];
        if (e === ORIGIN_EDGE) continue;
        const d = decideAt(state, p);
        if (e < 0) {
          expect(d).toBeUndefined();
          continue;
        }
        expect(d, `router ${p}`).toBeDefined();
        // Same route (same session at the exit router).
        expect(d!.best.edge, `router ${p} of AS${twin.asAsn[twin.popAs[p]]}`).toBe(e);
      }
    }
  });

  it('the default scenario shows path inflation, order-sensitive and cyclic targets, and a harmful site', () => {
    const twin = buildTwin(generateScenario(DEFAULT_GENERATE));
    const st = scenarioStats(twin);
    expect(st.sites).toBe(15);
    expect(st.targets).toBe(15000);
    expect(st.anycast.medianMs).toBeGreaterThan(st.bestUnicast.medianMs * 1.3);
    expect(st.orderSensitiveTargets).toBeGreaterThan(0);
    expect(st.orderSensitiveTargets).toBeLessThan(st.answering * 0.2);
    expect(st.cyclicTargets).toBeGreaterThan(0);
    expect(st.harmfulSites.length).toBeGreaterThan(0);
    // Unreachable targets exist (they never answer probes) and are reported.
    expect(st.answering).toBeLessThan(st.targets);
  });
});
