/** The simulated Internet (the twin): generation, compilation, routing, probing. */
export * from './scenario.js';
export * from './twin-api.js';
export { buildTwin, type Twin } from './twin.js';
export { computeCatchment, computeCatchmentSites, runAnnouncement, catchmentFromState, type RoutingState } from './bgp.js';
export { generateScenario, scenarioFromAsRel, DEFAULT_GENERATE, type GenerateOptions } from './generate.js';
export { probeCatchment } from './probe.js';
export { explainTarget, formatExplanation, decideAt, candidatesAt, type Explanation } from './explain.js';
export { scenarioStats, statsWork, bestUnicast, median, weightedMean, type ScenarioStats } from './stats.js';
export { forwarding, ORIGIN_EDGE } from './bgp.js';
