/**
 * The entry point: builds the commander program, runs one command in-process,
 * and maps outcomes to exit codes (0 success, 1 negative answer, 2 usage or
 * input error, 3 internal bug). The only place that decides the exit code.
 */
import { Command, CommanderError } from 'commander';
import { InputError, UsageError } from '../io/issues.js';
import { makeContext, type CliContext } from './context.js';
import { CommandHost, EXIT } from './host.js';
import { commands } from './commands/index.js';
import { checkOutputPaths } from './output-guard.js';

export const VERSION = '0.1.0';

export function buildProgram(host: CommandHost): Command {
  const { ctx } = host;
  const program = new Command('anyopt')
    .description(
      'Measure how BGP maps clients to anycast sites, predict catchments and RTTs for any subset of sites, ' +
        'choose the best subset, gate announcement plans in CI, and optimize outbound routes per prefix.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // Commander's own words for a missing mandatory option, in the wording every command uses.
      outputError: (s, write) => write(s.replace(/^error: required option '(-[-\w]+)[^']*' not specified/, 'error: Missing required option `$1`')),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    `
Examples:
  $ anyopt demo                                         the whole pipeline on the default twin
  $ anyopt sim init --out scenario                      write a simulated Internet to scenario/
  $ anyopt measure plan --sites scenario/sites.csv --out campaign.json
  $ anyopt measure run --campaign campaign.json --targets scenario/targets.csv --driver sim --scenario scenario --out obs.csv
  $ anyopt orders --observations obs.csv --out orders.csv --rtt-out rtt.csv
  $ anyopt predict --orders orders.csv --rtt rtt.csv --sites ams,syd,lhr
  $ anyopt optimize --orders orders.csv --rtt rtt.csv --weights scenario/targets.csv --out plan.json
  $ anyopt routes demo                                  outbound route optimization on its own twin
`,
  );
  for (const register of commands) register(program, host);
  // Every command's output paths are checked against its inputs before it does any work.
  program.hook('preAction', (_program, action) => checkOutputPaths(action, ctx.cwd));
  // Subcommands inherit the output configuration and exit override.
  const propagate = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) }).exitOverride();
      sub.showHelpAfterError('(run with --help for usage)');
      propagate(sub);
    }
  };
  propagate(program);
  return program;
}

export async function runCli(argv: string[], partial: Partial<CliContext> = {}): Promise<number> {
  const ctx = makeContext(partial);
  const host = new CommandHost(ctx);
  const program = buildProgram(host);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return host.exitCode;
  } catch (err) {
    return reportError(ctx, err);
  }
}

function reportError(ctx: CliContext, err: unknown): number {
  const red = ctx.color.red;
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    // commander already printed its message.
    return EXIT.usage;
  }
  if (err instanceof InputError) {
    ctx.stderr.write(`${red('error:')} ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    ctx.stderr.write(`${red('error:')} ${err.message}\n`);
    return EXIT.usage;
  }
  const sys = systemErrorText(err);
  if (sys) {
    ctx.stderr.write(`${red('error:')} ${sys}\n`);
    return EXIT.usage;
  }
  const e = err as Error;
  ctx.stderr.write(`${red('internal error (a bug in anyopt, please report it):')} ${e?.stack ?? String(err)}\n`);
  return EXIT.internal;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder where a file was expected',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  EBUSY: 'busy',
};

/**
 * A file-system error from the machine (a full disk, a folder where a file goes, a permission),
 * in words with its path: the environment's problem, not a bug in anyopt. undefined for others.
 */
export function systemErrorText(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const what = e && typeof e.code === 'string' ? SYSTEM_ERRORS[e.code] : undefined;
  if (!what) return undefined;
  const paths = [e!.path, (e as { dest?: string }).dest].filter((p): p is string => typeof p === 'string');
  return `${paths.length > 0 ? `${paths.join(' -> ')}: ` : ''}${what} (${e!.code}${e!.syscall ? ` in ${e!.syscall}` : ''})`;
}
