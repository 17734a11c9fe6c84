/**
 * The `exec` driver: a real testbed driven by shell commands. Three templates
 * (announce, withdraw, probe) with `{site}`, `{experiment}`, `{prefix}` and
 * (probe only) `{sites}` placeholders; values are inserted shell-quoted. The
 * probe command prints the catchment on stdout as Verfploeter, MAnycastR or
 * `target,site,rtt_ms` CSV (see src/import/replies.ts).
 *
 * Every command runs under `/bin/sh -c` in its own process group with a
 * timeout (the whole group is killed), is retried a bounded number of times
 * with a growing pause, and a final failure names the command, its exit code
 * (or the timeout) and the last lines of its stderr. Probe output with more
 * than 1% unreadable lines, or no header, counts as a failed attempt.
 */
import { spawn } from 'node:child_process';
import { DriverError, type Clock, type DriverSession, type ExperimentStep, type MeasurementDriver, type ProbeResult } from './driver.js';
import { HeaderError, ReplyParser, TargetResolver } from '../import/replies.js';
import { formatIssue } from '../io/issues.js';
import { UsageError } from '../io/issues.js';

export interface ExecDriverOptions {
  announceCmd: string;
  withdrawCmd: string;
  probeCmd: string;
  /** Timeout of one attempt of one command. */
  timeoutMs: number;
  /** Further attempts after a failed one. */
  retries: number;
  /** Pause before retry k is k * retryDelayMs (default 2000). */
  retryDelayMs?: number;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  /** Mapper site label -> site id (default: labels are site ids). */
  siteMap?: ReadonlyMap<string, string>;
  /** The /24 of each target, parallel to the session's targets ('' or absent: derived from the target id). */
  targetPrefixes?: readonly string[];
  /** The anycast prefix for `{prefix}`. */
  prefix?: string;
  /** Share of unreadable probe-output lines tolerated (default 0.01). */
  maxBadShare?: number;
  /**
   * Ctrl-C: kills the commands running when it fires (their process groups) and stops their
   * retries. Commands started after it (the withdrawals that clean up) run as usual.
   */
  signal?: AbortSignal;
}

const PLACEHOLDERS = { announce: ['site', 'experiment', 'prefix'], withdraw: ['site', 'experiment', 'prefix'], probe: ['experiment', 'prefix', 'sites'] } as const;

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Fill a template; every placeholder must be known for the command kind. */
export function fillTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{([a-z]+)\}/g, (m, name: string) => {
    const v = values[name];
    return v === undefined ? m : shellQuote(v);
  });
}

function checkTemplate(flag: string, template: string, allowed: readonly string[], prefix: string | undefined): void {
  for (const m of template.matchAll(/\{([a-z]+)\}/g)) {
    if (!allowed.includes(m[1])) throw new UsageError(`Expected \`${flag}\` to use only the placeholders ${allowed.map((a) => `{${a}}`).join(', ')}, got \`{${m[1]}}\``);
    if (m[1] === 'prefix' && prefix === undefined) throw new UsageError(`\`${flag}\` uses {prefix}: give \`--prefix\` or plan the campaign with \`--prefix\``);
  }
}

interface Attempt {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Killed because the run was interrupted. */
  interrupted?: boolean;
  stderrTail: string[];
  spawnError?: Error;
}

/** Run one shell command; stdout lines go to `onLine`. */
function runOnce(command: string, opts: ExecDriverOptions, onLine?: (line: string, n: number) => void): Promise<Attempt> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: opts.cwd,
      env: opts.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const tail: string[] = [];
    let errRest = '';
    let outRest = '';
    let lineNo = 0;
    let timedOut = false;
    let settled = false;
    const pushErr = (s: string) => {
      tail.push(s);
      if (tail.length > 10) tail.shift();
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const parts = (errRest + chunk).split('\n');
      errRest = parts.pop() ?? '';
      parts.forEach(pushErr);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!onLine) return;
      const parts = (outRest + chunk).split('\n');
      outRest = parts.pop() ?? '';
      for (const p of parts) onLine(p, ++lineNo);
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    let interrupted = false;
    const onAbort = () => {
      interrupted = true;
      killGroup();
    };
    // Only a command already running when the interrupt comes is killed by it.
    if (opts.signal && !opts.signal.aborted) opts.signal.addEventListener('abort', onAbort, { once: true });
    const finish = (a: Omit<Attempt, 'stderrTail' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (interrupted) a = { ...a, interrupted };
      if (errRest !== '') pushErr(errRest);
      if (onLine && outRest !== '') onLine(outRest, ++lineNo);
      resolve({ ...a, timedOut, stderrTail: tail.slice(-5) });
    };
    child.on('error', (err) => finish({ code: null, signal: null, spawnError: err }));
    child.on('close', (code, signal) => {
      if (timedOut || interrupted) killGroup();
      finish({ code, signal });
    });
  });
}

function describe(kind: string, command: string, a: Attempt, timeoutMs: number, attempts: number, extra?: string): string {
  const why = a.spawnError
    ? `could not start (${a.spawnError.message})`
    : a.timedOut
      ? `timed out after ${timeoutMs / 1000} s`
      : extra !== undefined
        ? `exited with code ${a.code} (${attempts} attempt${attempts === 1 ? '' : 's'}) but ${extra}`
        : a.signal
          ? `was killed by ${a.signal}`
          : `failed with exit code ${a.code}`;
  const tail = a.stderrTail.length ? `\n  last lines of its stderr:\n${a.stderrTail.map((l) => `    ${l}`).join('\n')}` : '\n  (no stderr output)';
  // The attempts go before a multi-line problem, not after its last line.
  const count = extra !== undefined && !a.spawnError && !a.timedOut ? '' : ` (${attempts} attempt${attempts === 1 ? '' : 's'})`;
  return `exec driver: ${kind} command ${why}${count}\n  command: ${command}${tail}`;
}

/** Throws UsageError on a template with an unknown placeholder, or `{prefix}` without a prefix. */
export function createExecDriver(opts: ExecDriverOptions): MeasurementDriver {
  checkTemplate('--announce-cmd', opts.announceCmd, PLACEHOLDERS.announce, opts.prefix);
  checkTemplate('--withdraw-cmd', opts.withdrawCmd, PLACEHOLDERS.withdraw, opts.prefix);
  checkTemplate('--probe-cmd', opts.probeCmd, PLACEHOLDERS.probe, opts.prefix);
  let session: DriverSession | undefined;
  let resolver: TargetResolver | undefined;
  let siteIndex = new Map<string, number>();
  const retryDelay = opts.retryDelayMs ?? 2000;
  const maxBad = opts.maxBadShare ?? 0.01;

  async function withRetries<T>(kind: string, command: string, attempt: () => Promise<{ a: Attempt; value?: T; problem?: string }>): Promise<T | undefined> {
    let last: { a: Attempt; problem?: string } | undefined;
    // A command started after the interrupt (a cleanup withdrawal) runs, and retries, as usual.
    const interruptible = opts.signal && !opts.signal.aborted ? opts.signal : undefined;
    for (let k = 0; k <= opts.retries; k++) {
      if (k > 0) await opts.clock.sleep(retryDelay * k, interruptible);
      const r = await attempt();
      // Interrupted: no retry, the run stops (and withdraws what it announced).
      if (r.a.interrupted) throw opts.signal?.reason ?? new DriverError(`exec driver: ${kind} command interrupted\n  command: ${command}`);
      if (!r.a.spawnError && !r.a.timedOut && r.a.code === 0 && r.problem === undefined) return r.value;
      last = r;
    }
    throw new DriverError(describe(kind, command, last!.a, opts.timeoutMs, opts.retries + 1, last!.problem));
  }

  function values(step: ExperimentStep | undefined, site?: string): Record<string, string | undefined> {
    return {
      site,
      experiment: step?.experiment.id ?? '',
      prefix: opts.prefix ?? step?.prefix ?? session?.prefix,
      sites: step?.experiment.sites.join('|'),
    };
  }

  return {
    name: 'exec',
    async open(s) {
      session = s;
      resolver = new TargetResolver(s.targetIds, opts.targetPrefixes ?? []);
      siteIndex = new Map(s.siteIds.map((id, i) => [id, i]));
    },
    async announce(site, step) {
      const cmd = fillTemplate(opts.announceCmd, values(step, site));
      await withRetries('announce', cmd, async () => ({ a: await runOnce(cmd, opts) }));
    },
    async withdraw(site, step) {
      const cmd = fillTemplate(opts.withdrawCmd, values(step, site));
      await withRetries('withdraw', cmd, async () => ({ a: await runOnce(cmd, opts) }));
    },
    async probe(step): Promise<ProbeResult> {
      const s = session!;
      const cmd = fillTemplate(opts.probeCmd, values(step));
      const announced = new Set(step.experiment.sites.map((id) => siteIndex.get(id)!));
      const result = await withRetries<ProbeResult>('probe', cmd, async () => {
        const n = s.targetIds.length;
        const site = new Int16Array(n).fill(-1);
        const rttMs = new Float32Array(n).fill(Number.NaN);
        const parser = new ReplyParser(`output of ${cmd}`);
        let headerProblem: string | undefined;
        let ignored = 0;
        const unknownLabels = new Set<string>();
        const a = await runOnce(cmd, opts, (line, lineNo) => {
          if (headerProblem) return;
          let r;
          try {
            r = parser.push(line, lineNo);
          } catch (err) {
            if (err instanceof HeaderError) headerProblem = `its output is not catchment CSV: ${formatIssue(err.issue)}`;
            return;
          }
          if (!r) return;
          const t = resolver!.resolve(r.target);
          const label = opts.siteMap?.get(r.site) ?? r.site;
          const si = siteIndex.get(label);
          if (si === undefined) {
            unknownLabels.add(r.site);
            parser.badLines++;
            return;
          }
          if (t === -2) {
            parser.badLines++;
            parser.issues.push({ file: parser.file, line: lineNo, column: 'target', expected: 'must be a target id or an IP address', received: r.target });
            return;
          }
          if (t < 0 || !announced.has(si) || site[t] >= 0) {
            ignored++;
            return;
          }
          site[t] = si;
          rttMs[t] = r.rttMs;
        });
        let problem = headerProblem;
        if (problem === undefined && parser.format === undefined && a.code === 0) problem = 'printed nothing (expected a catchment CSV header)';
        if (problem === undefined && parser.badLines > maxBad * Math.max(1, parser.records)) {
          const first = parser.issues.slice(0, 3).map((i) => formatIssue(i));
          if (unknownLabels.size) first.push(`site labels that are not sites (use --site-map): ${[...unknownLabels].slice(0, 5).join(', ')}`);
          problem = `${parser.badLines} of ${parser.records} output lines are unreadable:\n    ${first.join('\n    ')}`;
        }
        return { a, value: { site, rttMs, ignored }, ...(problem !== undefined ? { problem } : {}) };
      });
      return result!;
    },
    async close() {},
  };
}
