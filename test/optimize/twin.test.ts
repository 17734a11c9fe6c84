import { describe, expect, it } from 'vitest';
import { buildTwin, computeCatchment, generateScenario } from '../../src/sim/index.js';
import { referenceModel } from '../../src/optimize/reference-model.js';
import { measurePlans } from '../../src/optimize/groundtruth.js';
import { optimizeSites } from '../../src/optimize/optimize.js';

describe('plans checked in the twin (ground truth, not prediction)', () => {
  it('the optimised subset beats all sites and greedy-by-unicast of the same size on mean RTT', () => {
    const twin = buildTwin(generateScenario({ seed: 5, sites: 8, providers: 4, targets: 2000, ases: 400 }));
    // Announce in the twin's site order, the order the reference campaign used.
    const announce = (sites: string[]) => computeCatchment(twin, { sites: twin.siteIds.filter((s) => sites.includes(s)) });
    const model = referenceModel(twin.siteIds, twin.targetIds, announce);
    const r = optimizeSites(model, twin.targetWeight);
    expect(r.kind).toBe('plan');
    if (r.kind !== 'plan') return;
    expect(r.status).toBe('optimal');
    const names = (subset: Uint8Array) => model.siteIds.filter((_, s) => subset[s]);
    const [plan, all, greedy] = measurePlans(
      [
        { name: 'plan', sites: names(r.subset) },
        { name: 'all sites', sites: model.siteIds },
        { name: 'greedy by unicast', sites: names(r.comparisons.greedyUnicast) },
      ],
      announce,
      twin.targetWeight,
    );
    expect(greedy.sites).toHaveLength(plan.sites.length);
    expect(plan.meanMs).toBeLessThan(all.meanMs);
    expect(plan.meanMs).toBeLessThan(greedy.meanMs);
    // Same coverage: the plan does not win by dropping targets.
    expect(plan.coverage).toBeCloseTo(all.coverage, 9);
  });
});
