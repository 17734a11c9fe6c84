/** Shared test helpers: run the CLI in-process and capture its output. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/main.js';
import { MemoryStream } from '../src/cli/context.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const code = await runCli(argv, {
    stdout,
    stderr,
    stderrIsTTY: false,
    env: { NO_COLOR: '1', ...opts.env },
    cwd: opts.cwd ?? process.cwd(),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function tempDir(prefix = 'anyopt-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
