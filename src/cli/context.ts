/**
 * Everything a command may touch of the outside world, passed in so commands
 * run in-process in tests: output streams, TTY-ness, environment, clock.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface OutStream {
  write(chunk: string): unknown;
}

export interface CliContext {
  stdout: OutStream;
  stderr: OutStream;
  stderrIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Wall clock in ms; injected so tests can pin it. */
  now(): number;
  /** Colours for stderr: off with NO_COLOR or when stderr is not a TTY. */
  color: ChalkInstance;
}

export function makeContext(partial: Partial<CliContext> = {}): CliContext {
  const stdout = partial.stdout ?? process.stdout;
  const stderr = partial.stderr ?? process.stderr;
  const stderrIsTTY = partial.stderrIsTTY ?? Boolean((process.stderr as { isTTY?: boolean }).isTTY);
  const env = partial.env ?? process.env;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const level = noColor ? 0 : stderrIsTTY || forceColor ? 1 : 0;
  return {
    stdout,
    stderr,
    stderrIsTTY,
    env,
    cwd: partial.cwd ?? process.cwd(),
    now: partial.now ?? (() => Date.now()),
    color: partial.color ?? new Chalk({ level }),
  };
}

/** Collects output in memory (tests). */
export class MemoryStream implements OutStream {
  chunks: string[] = [];
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}
