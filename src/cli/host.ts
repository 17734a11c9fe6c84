/**
 * The bridge between commander and a command's action: records the exit code
 * an action returns, so only the entry point (`main.ts`) sets the process exit
 * code, and gives actions their `CliContext`.
 */
import type { CliContext } from './context.js';

/** Exit codes, for every command. */
export const EXIT = { ok: 0, negative: 1, usage: 2, internal: 3 } as const;

export class CommandHost {
  exitCode: number = EXIT.ok;
  constructor(readonly ctx: CliContext) {}

  /** Wrap an async action; its return value (default 0) becomes the exit code. */
  action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      const code = await fn(...args);
      this.exitCode = code ?? EXIT.ok;
    };
  }
}
