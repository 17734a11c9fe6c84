/**
 * JUnit XML for `anyopt validate`: one test case per policy rule, so CI
 * systems (GitLab, Jenkins, GitHub test reporters) show each rule as passed,
 * failed (with the measured value and the worst targets) or skipped. The
 * common JUnit dialect: testsuites > testsuite > testcase with failure or
 * skipped children; no timestamps, so the report is reproducible.
 */
import type { RuleResult } from './rules.js';

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function worstLines(r: RuleResult): string[] {
  return r.worst.map((w) => `  ${w.target} -> ${w.site ?? '(none)'}${w.value === null ? '' : ` ${w.value.toFixed(1)}`} (weight ${w.weight})`);
}

export function renderJunit(results: readonly RuleResult[], opts: { suite: string }): string {
  const failures = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const lines: string[] = [];
  lines.push('<?xml version="1.0" encoding="UTF-8"?>');
  lines.push(`<testsuites name="anyopt validate" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}">`);
  lines.push(`  <testsuite name="${xmlEscape(opts.suite)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}">`);
  for (const r of results) {
    const open = `    <testcase classname="anyopt.validate.${r.rule}" name="${xmlEscape(r.title)}"`;
    if (r.status === 'pass') {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    if (r.status === 'skip') {
      lines.push(`      <skipped message="${xmlEscape(r.message)}"/>`);
    } else {
      const body = [r.message, ...(r.worst.length > 0 ? ['worst targets:', ...worstLines(r)] : [])].join('\n');
      lines.push(`      <failure message="${xmlEscape(r.message)}" type="policy">${xmlEscape(body)}</failure>`);
    }
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>');
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
