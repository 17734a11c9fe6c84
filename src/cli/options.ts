/**
 * Flag parsing helpers. Errors follow execa's style: say what was expected,
 * then what was received: ``Expected `--k` to be a positive integer, got `0` ``.
 */
import { resolve } from 'node:path';
import { UsageError } from '../io/issues.js';

export function expected(flag: string, what: string, got: unknown): UsageError {
  return new UsageError(`Expected \`${flag}\` to be ${what}, got \`${String(got)}\``);
}

export function intOption(flag: string, raw: string | number | undefined, opts: { min?: number; max?: number; default?: number } = {}): number {
  if (raw === undefined) {
    if (opts.default === undefined) throw new UsageError(`Missing required option \`${flag}\``);
    return opts.default;
  }
  const { min = -Infinity, max = Infinity } = opts;
  const s = String(raw).trim();
  const v = Number(s);
  const what =
    min === 1 && max === Infinity ? 'a positive integer' : min === 0 && max === Infinity ? 'a non-negative integer' : `an integer in [${min}, ${max}]`;
  if (!/^-?\d+$/.test(s) || v < min || v > max) throw expected(flag, what, raw);
  return v;
}

export function numberOption(flag: string, raw: string | number | undefined, opts: { min?: number; max?: number; default?: number } = {}): number {
  if (raw === undefined) {
    if (opts.default === undefined) throw new UsageError(`Missing required option \`${flag}\``);
    return opts.default;
  }
  const { min = -Infinity, max = Infinity } = opts;
  const v = Number(String(raw).trim());
  if (String(raw).trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    const what = min === -Infinity && max === Infinity ? 'a number' : max === Infinity ? `a number >= ${min}` : `a number in [${min}, ${max}]`;
    throw expected(flag, what, raw);
  }
  return v;
}

export function requiredOption<T>(flag: string, v: T | undefined): T {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) throw new UsageError(`Missing required option \`${flag}\``);
  return v;
}

export function choiceOption<T extends string>(flag: string, raw: string | undefined, choices: readonly T[], dflt: T): T {
  if (raw === undefined) return dflt;
  if (!choices.includes(raw as T)) throw expected(flag, `one of ${choices.join(', ')}`, raw);
  return raw as T;
}

/** Comma-separated list, trimmed, no empties, no duplicates. */
export function listOption(flag: string, raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw expected(flag, 'a comma-separated list without empty items', raw);
  const seen = new Set<string>();
  for (const s of items) {
    if (seen.has(s)) throw expected(flag, 'a list without duplicates', raw);
    seen.add(s);
  }
  return items;
}

export function pathOption(cwd: string, p: string): string {
  return resolve(cwd, p);
}

/** `--seed`: seeds are 32-bit (the generators take them modulo 2^32, so a larger one would silently repeat a smaller one). */
export function seedOption(raw: string | number | undefined, def?: number): number {
  return intOption('--seed', raw, { min: 0, max: 4294967295, ...(def !== undefined ? { default: def } : {}) });
}
