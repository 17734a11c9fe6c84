/**
 * Input issues as data. Readers never throw on bad content: they collect one
 * `InputIssue` per problem (file, line, column, the value received and what was
 * expected) and the edge (the CLI) decides how to render them and which exit
 * code follows. Rendering style follows execa: say what was expected, then what
 * was received.
 */

export interface InputIssue {
  /** File name as the user gave it (or a label such as `--announce`). */
  file: string;
  /** 1-based line number, when the issue belongs to a line. */
  line?: number;
  /** Column name or 1-based index. */
  column?: string;
  /** What was expected, as a phrase: `must be a number in [-90, 90]`. */
  expected: string;
  /** The value received, verbatim. */
  received?: string;
}

/** `sites.csv:14: column "lat" must be a number in [-90, 90], got "N/A"` */
export function formatIssue(issue: InputIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file;
  const col = issue.column !== undefined ? `column "${issue.column}" ` : '';
  const got = issue.received !== undefined ? `, got ${JSON.stringify(truncate(issue.received, 80))}` : '';
  return `${where}: ${col}${issue.expected}${got}`;
}

/**
 * A JSON value as `received` text. JSON has no Infinity: a number too large for a double (1e999)
 * parses to Infinity, which JSON.stringify would show as "null".
 */
export function jsonValueText(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? `${v} (a number out of range)` : String(JSON.stringify(v));
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Render the first `limit` issues and a count of the rest (`total` counts issues not kept). */
export function formatIssues(issues: readonly InputIssue[], total = issues.length, limit = 20): string {
  const lines = issues.slice(0, limit).map(formatIssue);
  const rest = Math.max(total, issues.length) - lines.length;
  if (rest > 0) lines.push(`… and ${rest} more issue${rest === 1 ? '' : 's'}`);
  return lines.join('\n');
}

/**
 * Collects issues while a reader streams. Keeps the first `keep` in full and
 * counts the rest, so a file with a million bad lines does not exhaust memory.
 */
export class IssueList {
  readonly items: InputIssue[] = [];
  total = 0;
  constructor(private readonly keep = 1000) {}
  add(issue: InputIssue): void {
    this.total++;
    if (this.items.length < this.keep) this.items.push(issue);
  }
  get empty(): boolean {
    return this.total === 0;
  }
}

/** Thrown at the edge when input is unusable; the CLI renders it and exits 2. */
export class InputError extends Error {
  readonly issues: readonly InputIssue[];
  readonly total: number;
  constructor(issues: readonly InputIssue[], total = issues.length, options?: { cause?: unknown }) {
    super(formatIssues(issues, total), options);
    this.name = 'InputError';
    this.issues = issues;
    this.total = total;
  }
  static single(issue: InputIssue): InputError {
    return new InputError([issue]);
  }
}

/** Bad flags or arguments (exit 2). The message names the flag, the value and what was expected. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
