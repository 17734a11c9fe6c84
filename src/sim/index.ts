/** The simulated Internet (the twin): generation, compilation, routing, probing. */
export * from './scenario.js';
export * from './twin-api.js';
export { buildTwin, type Twin } from './twin.js';
export { computeCatchment, runAnnouncement, catchmentFromState, type RoutingState } from './bgp.js';
export { generateScenario, DEFAULT_GENERATE, type GenerateOptions } from './generate.js';
