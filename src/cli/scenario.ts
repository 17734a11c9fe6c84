/** Loading a scenario folder and compiling its twin, for every command that runs against the twin. */
import { readScenario } from '../io/scenario.js';
import { buildTwin, type Twin } from '../sim/index.js';
import type { Scenario } from '../sim/scenario.js';
import type { CliContext } from './context.js';
import { pathOption } from './options.js';

export async function loadTwin(ctx: CliContext, dir: string): Promise<{ scenario: Scenario; twin: Twin }> {
  const scenario = await readScenario(pathOption(ctx.cwd, dir), dir);
  return { scenario, twin: buildTwin(scenario) };
}
