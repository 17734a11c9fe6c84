/** Loading a scenario folder and compiling its twin, for every command that runs against the twin. */
import { readScenario } from '../io/scenario.js';
import { UsageError } from '../io/issues.js';
import { buildTwin, type Twin } from '../sim/index.js';
import type { Scenario } from '../sim/scenario.js';
import type { CliContext } from './context.js';
import { pathOption } from './options.js';

/**
 * A twin that cannot answer what commands ask of it is an input error: a site the command uses
 * whose provider is not in the topology never announces, and with no reachable target every catchment is empty
 * (both gave exit 0 and "median RTT NaN ms" before). Some unreachable targets are a note; the
 * compiler's other remarks (`sim stats` lists them) are not repeated by every command.
 */
export function checkTwin(ctx: CliContext, twin: Twin, dir: string, used: readonly string[]): void {
  const dead = twin.deadSites.filter((s) => used.includes(s));
  if (dead.length > 0) {
    throw new UsageError(`scenario ${dir}: site ${dead.join(', ')} cannot announce: ${dead.length === 1 ? 'its provider AS is' : 'their provider ASes are'} not in the topology (check sites.csv against the topology)`);
  }
  const idle = twin.deadSites.filter((s) => !used.includes(s));
  if (idle.length > 0) ctx.stderr.write(`${ctx.color.yellow('note')}: scenario ${dir}: site ${idle.join(', ')} could not announce (provider AS not in the topology); not used here\n`);
  if (twin.targetIds.length > 0 && twin.homelessTargets === twin.targetIds.length) {
    throw new UsageError(`scenario ${dir}: none of the ${twin.targetIds.length} targets is in an AS with a PoP in the topology, so none is reachable (check targets.csv and pops.csv)`);
  }
  if (twin.homelessTargets > 0) {
    ctx.stderr.write(`${ctx.color.yellow('note')}: scenario ${dir}: ${twin.homelessTargets} of ${twin.targetIds.length} targets are in ASes without a PoP in the topology and are unreachable\n`);
  }
}

/** The scenario and its twin; callers check the twin against the sites they use (`checkTwin`). */
export async function loadTwin(ctx: CliContext, dir: string): Promise<{ scenario: Scenario; twin: Twin }> {
  const scenario = await readScenario(pathOption(ctx.cwd, dir), dir);
  return { scenario, twin: buildTwin(scenario) };
}
