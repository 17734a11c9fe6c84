/**
 * Per-file accounting of unreadable lines for the routes readers, and the
 * rule that refuses a run when too much of a file is unreadable.
 */
import { InputError, IssueList, type InputIssue } from '../issues.js';

export interface FileReport {
  file: string;
  /** Data records seen (good and bad; headers, comments and blank lines excluded). */
  records: number;
  issues: IssueList;
  /** Unreadable records, when a record can have several issues (one per bad cell); else issues.total. */
  bad?: number;
}

export function newReport(file: string): FileReport {
  return { file, records: 0, issues: new IssueList(1000) };
}

/**
 * Throw when any file has more than `maxBadShare` of its records unreadable
 * (default 1%); otherwise return the issues to show as warnings.
 */
export function checkBadShare(reports: FileReport[], maxBadShare: number): InputIssue[] {
  const fatal: InputIssue[] = [];
  let fatalTotal = 0;
  const warnings: InputIssue[] = [];
  for (const r of reports) {
    if (r.issues.empty) continue;
    const bad = r.bad ?? r.issues.total;
    const share = r.records > 0 ? bad / r.records : 1;
    if (share > maxBadShare) {
      fatal.push(...r.issues.items.slice(0, 20));
      fatalTotal += r.issues.total;
      fatal.push({
        file: r.file,
        expected: `has ${bad} unreadable of ${r.records} records (${(share * 100).toFixed(2)}%), more than the ${(maxBadShare * 100).toFixed(2)}% allowed (raise with --max-bad-share)`,
      });
      fatalTotal++;
    } else warnings.push(...r.issues.items);
  }
  if (fatal.length > 0) throw new InputError(fatal, fatalTotal);
  return warnings;
}
