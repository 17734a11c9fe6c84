/**
 * Before any command runs: its output paths must not destroy its inputs or each other, and must
 * be writable as what they are (a file, or a folder for `<dir>` outputs). Checked here, from the
 * parsed options, so a bad path fails in milliseconds with exit 2 instead of after the work (a
 * campaign can run for hours) or as an internal error from the final rename, and so commands with
 * several outputs never write one and then fail on the next.
 *
 * Outputs are the options whose long name ends in `out` (`--out`, `--rtt-out`, `--inject-out`,
 * `--providers-out`), `--junit`, and `--dir`; every other option value and positional argument
 * that names an existing path is an input.
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../io/issues.js';
import { pathOption } from './options.js';

interface PathArg {
  /** The option (`--orders`), or '' for a positional argument. */
  label: string;
  value: string;
  abs: string;
}

const isOutputFlag = (long: string) => /out$/.test(long) || long === '--junit' || long === '--dir';

function statOf(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** The path with symlinks resolved as far as it exists (outputs usually do not exist yet). */
function canonical(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    return parent === p ? p : join(canonical(parent), basename(p));
  }
}

const inside = (dir: string, p: string) => {
  const r = relative(dir, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
};

export function checkOutputPaths(cmd: Command, cwd: string): void {
  const values = cmd.opts() as Record<string, unknown>;
  const outputs: Array<PathArg & { dir: boolean }> = [];
  const inputs: PathArg[] = [];
  for (const opt of cmd.options) {
    const long = opt.long;
    if (!long) continue;
    const v = values[opt.attributeName()];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    for (const value of list) {
      if (value === '' || value === '-') continue;
      const abs = canonical(pathOption(cwd, value));
      if (isOutputFlag(long)) outputs.push({ label: long, value, abs, dir: opt.flags.includes('<dir>') });
      else if (statOf(abs)) inputs.push({ label: long, value, abs });
    }
  }
  for (const value of cmd.args) {
    const abs = canonical(pathOption(cwd, value));
    if (statOf(abs)?.isFile()) inputs.push({ label: '', value, abs });
  }
  for (const out of outputs) {
    const st = statOf(out.abs);
    if (out.dir && st && !st.isDirectory()) throw new UsageError(`\`${out.label}\` ${out.value} exists and is not a folder; expected a folder to write into`);
    if (!out.dir && st?.isDirectory()) throw new UsageError(`\`${out.label}\` ${out.value} is a folder; expected a file path`);
    for (const input of inputs) {
      if (input.abs === out.abs) {
        throw new UsageError(`\`${out.label}\` ${out.value} is also ${input.label ? `the input of \`${input.label}\`` : 'an input file'}: writing it would replace the input; choose another path`);
      }
      if (out.dir && inside(out.abs, input.abs)) {
        throw new UsageError(`\`${out.label}\` ${out.value} holds the input ${input.value}${input.label ? ` (\`${input.label}\`)` : ''}, which writing the folder could replace; choose another folder`);
      }
    }
  }
  for (let i = 0; i < outputs.length; i++) {
    for (let j = i + 1; j < outputs.length; j++) {
      if (outputs[i].abs === outputs[j].abs) throw new UsageError(`\`${outputs[i].label}\` and \`${outputs[j].label}\` are the same path (${outputs[i].value}): one would overwrite the other`);
    }
  }
}
