/**
 * Before any command runs: its output paths must not destroy its inputs or each other, and must
 * be writable as what they are (a file, or a folder for `<dir>` outputs). Checked here, from the
 * parsed options, so a bad path fails in milliseconds with exit 2 instead of after the work (a
 * campaign can run for hours) or as an internal error from the final rename, and so commands with
 * several outputs never write one and then fail on the next.
 *
 * Path options are those whose argument is `<file>`, `<files...>` or `<dir>`; of those, the ones
 * in OUTPUT_FLAGS are outputs and the rest inputs, as are positional arguments that name a file.
 * Only values given on the command line count (a default such as `--seed 1` is no path).
 */
import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../io/issues.js';
import { SCENARIO_FILES } from '../io/scenario.js';
import { pathOption } from './options.js';

interface PathArg {
  /** The option (`--orders`), or '' for a positional argument. */
  label: string;
  value: string;
  abs: string;
}

const OUTPUT_FLAGS = new Set(['--out', '--rtt-out', '--inject-out', '--providers-out', '--junit', '--dir']);

/** The files a command writes into its `<dir>` output; inputs inside that folder under other names are safe. */
const WRITES_IN_DIR: Record<string, readonly string[]> = {
  'sim init': Object.values(SCENARIO_FILES),
};

/** Files a command writes inside its `<dir>` output or beside its file output: none may be a folder. */
const FILES_IN_DIR: Record<string, readonly string[]> = {
  'sim init': Object.values(SCENARIO_FILES),
  demo: ['observations.csv', 'campaign.json', 'orders.csv', 'rtt.csv', 'plan.json', ...Object.values(SCENARIO_FILES).map((f) => `scenario/${f}`)],
};
const FILES_BESIDE: Record<string, readonly string[]> = {
  'measure run': ['.partial', '.journal', '.lock'],
};

function statOf(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** The path with symlinks resolved as far as it exists (outputs usually do not exist yet). */
function canonicalPath(p: string, hops = 0): string {
  try {
    return realpathSync(p);
  } catch {
    // A dangling link is written at its target (src/io/write.ts): follow it.
    let link: string | undefined;
    try {
      if (hops < 16 && lstatSync(p).isSymbolicLink()) link = readlinkSync(p);
    } catch {
      /* not there */
    }
    if (link !== undefined) return canonicalPath(resolve(dirname(p), link), hops + 1);
    const parent = dirname(p);
    return parent === p ? p : join(canonicalPath(parent, hops), basename(p));
  }
}

const inside = (dir: string, p: string) => {
  const r = relative(dir, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
};

const named = (input: PathArg) => (input.label ? `the input of \`${input.label}\`` : 'an input file');
const flagOf = (input: PathArg) => (input.label ? ` (\`${input.label}\`)` : '');

/** Where an output path writes, symlinks resolved (outputs are written through a symlink: src/io/write.ts). */
export function outputPath(cwd: string, value: string): string {
  return canonicalPath(pathOption(cwd, value));
}

/** The nearest existing folder above an output, or the ancestor that exists and is no folder. */
function blockingAncestor(abs: string): string | undefined {
  for (let p = dirname(abs); ; p = dirname(p)) {
    const st = statOf(p);
    if (st) return st.isDirectory() ? undefined : p;
    if (dirname(p) === p) return undefined;
  }
}

/** The path inputs of a command line (for commands that derive further outputs themselves). */
export function pathInputs(cmd: Command, cwd: string): PathArg[] {
  return collect(cmd, cwd).inputs;
}

function collect(cmd: Command, cwd: string): { inputs: PathArg[]; outputs: Array<PathArg & { dir: boolean }> } {
  const values = cmd.opts() as Record<string, unknown>;
  const outputs: Array<PathArg & { dir: boolean }> = [];
  const inputs: PathArg[] = [];
  for (const opt of cmd.options) {
    const long = opt.long;
    if (!long || !/<(file|files\.\.\.|dir)>/.test(opt.flags)) continue;
    const key = opt.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    const v = values[key];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    for (const value of list) {
      if (value === '' && OUTPUT_FLAGS.has(long)) throw new UsageError(`\`${long}\` is empty; expected a ${opt.flags.includes('<dir>') ? 'folder' : 'file'} path`);
      if (value === '' || value === '-') continue;
      if (OUTPUT_FLAGS.has(long)) outputs.push({ label: long, value, abs: outputPath(cwd, value), dir: opt.flags.includes('<dir>') });
      else {
        const abs = canonicalPath(pathOption(cwd, value));
        if (statOf(abs)) inputs.push({ label: long, value, abs });
      }
    }
  }
  for (const value of cmd.args) {
    const abs = canonicalPath(pathOption(cwd, value));
    if (statOf(abs)?.isFile()) inputs.push({ label: '', value, abs });
  }
  return { inputs, outputs };
}

/** An output file path against the inputs: not one of them, not an existing file inside an input folder. */
export function checkOutputAgainstInputs(label: string, value: string, abs: string, inputs: readonly PathArg[]): void {
  for (const input of inputs) {
    if (input.abs === abs) throw new UsageError(`\`${label}\` ${value} is also ${named(input)}: writing it would replace the input; choose another path`);
    if (inside(input.abs, abs) && statOf(input.abs)?.isDirectory() && statOf(abs)?.isFile()) {
      throw new UsageError(`\`${label}\` ${value} would replace a file of the input folder ${input.value}${flagOf(input)}; choose another path`);
    }
  }
}

export function checkOutputPaths(cmd: Command, cwd: string): void {
  const { inputs, outputs } = collect(cmd, cwd);
  const commandName = cmd.parent && cmd.parent.parent ? `${cmd.parent.name()} ${cmd.name()}` : cmd.name();
  for (const out of outputs) {
    const blocked = blockingAncestor(out.abs);
    if (blocked) throw new UsageError(`\`${out.label}\` ${out.value} cannot be written: ${blocked} is a file, not a folder`);
    const st = statOf(out.abs);
    if (out.dir && st && !st.isDirectory()) throw new UsageError(`\`${out.label}\` ${out.value} exists and is not a folder; expected a folder to write into`);
    const within = out.dir ? (FILES_IN_DIR[commandName] ?? []).map((f) => join(out.abs, f)) : out.label === '--out' ? (FILES_BESIDE[commandName] ?? []).map((x) => out.abs + x) : [];
    const folder = within.find((p) => statOf(p)?.isDirectory());
    if (folder) throw new UsageError(`\`${out.label}\` ${out.value}: ${folder} is a folder where the command writes a file; move it away or choose another path`);
    if (!out.dir && st?.isDirectory()) throw new UsageError(`\`${out.label}\` ${out.value} is a folder; expected a file path`);
    if (!out.dir) {
      checkOutputAgainstInputs(out.label, out.value, out.abs, inputs);
      continue;
    }
    const writes = WRITES_IN_DIR[commandName];
    for (const input of inputs) {
      const hit = input.abs === out.abs || (inside(out.abs, input.abs) && (writes === undefined || (dirname(input.abs) === out.abs && writes.includes(basename(input.abs)))));
      if (hit) throw new UsageError(`\`${out.label}\` ${out.value} holds the input ${input.value}${flagOf(input)}, which writing the folder would replace; choose another folder`);
    }
  }
  for (let i = 0; i < outputs.length; i++) {
    for (let j = i + 1; j < outputs.length; j++) {
      if (outputs[i].abs === outputs[j].abs) throw new UsageError(`\`${outputs[i].label}\` and \`${outputs[j].label}\` are the same path (${outputs[i].value}): one would overwrite the other`);
    }
  }
}
