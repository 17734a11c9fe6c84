/** Loading a scenario folder and compiling its twin, for every command that runs against the twin. */
import { readScenario } from '../io/scenario.js';
import { UsageError } from '../io/issues.js';
import { buildTwin, type Twin } from '../sim/index.js';
import type { Scenario } from '../sim/scenario.js';
import type { CliContext } from './context.js';
import { pathOption } from './options.js';

/**
 * A twin that cannot answer what commands ask of it is an input error: a site whose provider is
 * not in the topology never announces, and with no reachable target every catchment is empty
 * (both gave exit 0 and "median RTT NaN ms" before). Some unreachable targets are a note; the
 * compiler's other remarks (`sim stats` lists them) are not repeated by every command.
 */
export function checkTwin(ctx: CliContext, twin: Twin, dir: string): void {
  if (twin.deadSites.length > 0) {
    throw new UsageError(`scenario ${dir}: ${twin.warnings.filter((w) => w.endsWith('cannot announce')).join('; ')} (check sites.csv against the topology)`);
  }
  if (twin.targetIds.length > 0 && twin.homelessTargets === twin.targetIds.length) {
    throw new UsageError(`scenario ${dir}: none of the ${twin.targetIds.length} targets is in an AS with a PoP in the topology, so none is reachable (check targets.csv and pops.csv)`);
  }
  if (twin.homelessTargets > 0) {
    ctx.stderr.write(`${ctx.color.yellow('note')}: scenario ${dir}: ${twin.homelessTargets} of ${twin.targetIds.length} targets are in ASes without a PoP in the topology and are unreachable\n`);
  }
}

/** `check` false (sim stats) reports the twin as it is, problems included. */
export async function loadTwin(ctx: CliContext, dir: string, opts: { check?: boolean } = {}): Promise<{ scenario: Scenario; twin: Twin }> {
  const scenario = await readScenario(pathOption(ctx.cwd, dir), dir);
  const twin = buildTwin(scenario);
  if (opts.check !== false) checkTwin(ctx, twin, dir);
  return { scenario, twin };
}
