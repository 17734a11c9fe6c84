import { describe, expect, it } from 'vitest';
import { buildTwin, catchmentFromState, explainTarget, runAnnouncement } from '../../src/sim/index.js';
import { world } from './worlds.js';

/** Catchment site id of a target, plus the decision at the target's own router. */
function outcome(scenario: ReturnType<typeof world>, announce: string[], target: string) {
  const twin = buildTwin(scenario);
  const state = runAnnouncement(twin, { sites: announce });
  const c = catchmentFromState(state);
  const t = twin.targetIds.indexOf(target);
  const x = explainTarget(state, t);
  return {
    site: c.site[t] < 0 ? undefined : twin.siteIds[c.site[t]],
    step: x.hops[0]?.decidedBy,
    path: x.hops[0]?.chosen.asPath,
    rtt: c.rttMs[t],
    twin,
  };
}

describe('each step of the decision process decides somewhere', () => {
  it('local-pref: a peer route beats a shorter provider route', () => {
    // T (Berlin) buys transit from X and peers with Y. Site a hangs off X directly (path X O),
    // site b off Z, a customer of Y (path Y Z O). Local-pref peer 90 > provider 80 wins over length.
    const s = world({
      pops: { 100: ['Berlin'], 200: ['Berlin', 'Amsterdam'], 300: ['Berlin', 'London'], 400: ['London'] },
      links: ['200>100', '300=100', '300>400'],
      sites: { a: ['Amsterdam', 200], b: ['London', 400] },
      targets: { t: [100, 'Berlin'] },
    });
    const o = outcome(s, ['a', 'b'], 't');
    expect(o.site).toBe('b');
    expect(o.step).toBe('local-pref');
    expect(o.path).toEqual([300, 400, 64500]);
  });

  it('as-path-length: with equal local-pref the shorter path wins, whatever the distance', () => {
    // T (Berlin) has providers X and Y. Site a (Sydney!) hangs off X directly; site b (Amsterdam) off Z behind Y.
    const s = world({
      pops: { 100: ['Berlin'], 200: ['Berlin', 'Sydney'], 300: ['Berlin', 'Amsterdam'], 400: ['Amsterdam'] },
      links: ['200>100', '300>100', '300>400'],
      sites: { a: ['Sydney', 200], b: ['Amsterdam', 400] },
      targets: { t: [100, 'Berlin'] },
    });
    const o = outcome(s, ['a', 'b'], 't');
    expect(o.site).toBe('a');
    expect(o.step).toBe('as-path-length');
    expect(o.path).toEqual([200, 64500]);
    // Path inflation: Berlin to Sydney and back is above 200 ms even at light speed in fibre.
    expect(o.rtt).toBeGreaterThan(2 * ((16000 * 1.6) / 200));
  });

  it('ebgp-over-ibgp and igp-cost (hot potato): each router of one AS picks its own exit', () => {
    // T has routers in London, Paris and Amsterdam. X (site a, London) meets T in London,
    // Y (site b, Frankfurt) meets T in Frankfurt... T is not in Frankfurt, so Y meets T at the
    // closest pair: Amsterdam. Equal local-pref and length everywhere.
    const s = world({
      pops: { 100: ['London', 'Paris', 'Amsterdam'], 200: ['London'], 300: ['Frankfurt'] },
      links: ['200>100', '300>100'],
      sites: { a: ['London', 200], b: ['Frankfurt', 300] },
      targets: { inLondon: [100, 'London'], inAmsterdam: [100, 'Amsterdam'], inParis: [100, 'Paris'] },
    });
    const london = outcome(s, ['a', 'b'], 'inLondon');
    expect(london.site).toBe('a');
    expect(london.step).toBe('ebgp-over-ibgp');
    const ams = outcome(s, ['a', 'b'], 'inAmsterdam');
    expect(ams.site).toBe('b');
    expect(ams.step).toBe('ebgp-over-ibgp');
    // Paris has no session of its own: the nearest exit is London (344 km) rather than Amsterdam (430 km).
    const paris = outcome(s, ['a', 'b'], 'inParis');
    expect(paris.site).toBe('a');
    expect(paris.step).toBe('igp-cost');
  });

  it('oldest: where a router prefers the oldest route, announcement order decides', () => {
    // T (Berlin) has providers X and Y, both in Berlin; each hosts one site; equal everything.
    const spec = {
      pops: { 100: ['Berlin'], 200: ['Berlin', 'Warsaw'], 300: ['Berlin', 'Paris'] },
      links: ['200>100', '300>100'],
      sites: { a: ['Warsaw', 200] as [string, number], b: ['Paris', 300] as [string, number] },
      targets: { t: [100, 'Berlin'] as [number, string] },
    };
    const oldest = world({ ...spec, knobs: { preferOldestShare: 1 } });
    const ab = outcome(oldest, ['a', 'b'], 't');
    const ba = outcome(oldest, ['b', 'a'], 't');
    expect(ab.site).toBe('a');
    expect(ab.step).toBe('oldest');
    expect(ba.site).toBe('b');
    expect(ba.step).toBe('oldest');
  });

  it('router-id: without the oldest step, the lowest neighbour router id wins in either order', () => {
    const s = world({
      pops: { 100: ['Berlin'], 200: ['Berlin', 'Warsaw'], 300: ['Berlin', 'Paris'] },
      links: ['200>100', '300>100'],
      sites: { a: ['Warsaw', 200], b: ['Paris', 300] },
      targets: { t: [100, 'Berlin'] },
    });
    const ab = outcome(s, ['a', 'b'], 't');
    const ba = outcome(s, ['b', 'a'], 't');
    expect(ab.site).toBe(ba.site);
    expect(ab.step).toBe('router-id');
    // The winner is the site behind the neighbour router with the lower id.
    const twin = ab.twin;
    const routerOf = (asn: number) => twin.popRouterId[twin.asPops[twin.asPopStart[twin.asAsn.indexOf(asn)]]];
    expect(ab.site).toBe(routerOf(200) < routerOf(300) ? 'a' : 'b');
  });

  it('primary provider: a backup provider route loses on local-pref even when shorter', () => {
    const s = world({
      pops: { 100: ['Berlin'], 200: ['Berlin', 'Warsaw'], 300: ['Berlin', 'Paris'], 400: ['Paris'] },
      links: ['200>100', '300>100', '300>400'],
      sites: { a: ['Warsaw', 200], b: ['Paris', 400] },
      targets: { t: [100, 'Berlin'] },
      knobs: { primaryProviderShare: 1 },
    });
    const o = outcome(s, ['a', 'b'], 't');
    // With a primary/backup policy one provider gets local-pref 85; whichever it is decides.
    expect(o.step).toBe('local-pref');
  });

  it('valley-free export: a peer does not pass a peer route on to another peer', () => {
    // Site a is on X. X peers with Y; Y peers with T. T must not reach a through Y (peer -> peer).
    const s = world({
      pops: { 100: ['Berlin'], 200: ['Berlin', 'Amsterdam'], 300: ['Berlin'] },
      links: ['200=300', '300=100'],
      sites: { a: ['Amsterdam', 200] },
      targets: { t: [100, 'Berlin'], y: [300, 'Berlin'] },
    });
    expect(outcome(s, ['a'], 'y').site).toBe('a');
    const o = outcome(s, ['a'], 't');
    expect(o.site).toBeUndefined();
  });

  it('a route that turns from peer to customer at the same AS path is exported to providers and peers then (whatever the order)', () => {
    // X (100) is the transit provider of site a and also peers with site b (on provider 400).
    // With b on first, X's best is the peer route [b]; once a is on, its best is the customer
    // route [a], of the same length: X must now export it to its provider P (300) and its peer Q (600).
    const s = world({
      pops: { 100: ['Sydney'], 300: ['Sydney'], 400: ['Sydney'], 600: ['Sydney'] },
      links: ['300>100', '100=600'],
      sites: { a: ['Sydney', 100], b: ['Sydney', 400, [100]] },
      targets: { p: [300, 'Sydney'], q: [600, 'Sydney'] },
    });
    for (const order of [['a', 'b'], ['b', 'a']]) {
      expect(outcome(s, order, 'p').site, order.join(',')).toBe('a');
      expect(outcome(s, order, 'q').site, order.join(',')).toBe('a');
    }
  });

  it('prepending a site makes its path longer', () => {
    const s = world({
      pops: { 100: ['Berlin'], 200: ['Berlin', 'Warsaw'], 300: ['Berlin', 'Paris'] },
      links: ['200>100', '300>100'],
      sites: { a: ['Warsaw', 200], b: ['Paris', 300] },
      targets: { t: [100, 'Berlin'] },
    });
    const twin = buildTwin(s);
    const plain = catchmentFromState(runAnnouncement(twin, { sites: ['a', 'b'] }));
    const winner = twin.siteIds[plain.site[0]];
    const loser = winner === 'a' ? 'b' : 'a';
    const prepended = catchmentFromState(runAnnouncement(twin, { sites: ['a', 'b'], prepend: { [winner]: 2 } }));
    expect(twin.siteIds[prepended.site[0]]).toBe(loser);
  });
});
