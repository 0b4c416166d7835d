import { shardedCases, shardedCellName } from './sharded-cells.js';
import type { CaseReport, SuiteReport } from './suite-report.js';

function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Control characters other than tab and newlines are not allowed in XML 1.0.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
  );
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testCase(c: CaseReport, classname: string): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(c.name)}" time="${seconds(c.durationMs)}"`;
  const message = escapeXml(c.message ?? '');
  const firstLine = escapeXml((c.message ?? '').split('\n', 1)[0] ?? '');
  switch (c.status) {
    case 'passed':
      return `${open}/>`;
    case 'skipped':
    case 'todo': {
      const skipped = c.message === undefined ? '<skipped/>' : `<skipped message="${firstLine}"/>`;
      return `${open}>\n      ${skipped}\n    </testcase>`;
    }
    case 'failed':
      return `${open}>\n      <failure message="${firstLine}">${message}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${firstLine}">${message}</error>\n    </testcase>`;
  }
}

function testSuite(
  name: string,
  cases: readonly CaseReport[],
  durationMs: number,
  report: SuiteReport,
): string {
  const count = (s: CaseReport['status']) => cases.filter((c) => c.status === s).length;
  const skipped = count('skipped') + count('todo');
  return [
    `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${skipped}" time="${seconds(durationMs)}">`,
    ...cases.map((c) => testCase(c, `${report.suite}.${name}`)),
    '  </testsuite>',
  ].join('\n');
}

/** JUnit XML, one <testsuite> per task and per sharded cell, as CI systems read it. */
export function toJUnitXml(report: SuiteReport): string {
  const sharded = (report.sharded ?? []).map((cell) => ({
    name: shardedCellName(cell),
    cases: shardedCases(cell),
    durationMs: cell.figures?.wallMs ?? 0,
  }));
  const all = [...report.tasks, ...sharded];
  const suites = all.map((entry) => testSuite(entry.name, entry.cases, entry.durationMs, report));
  const failures = all.flatMap((t) => t.cases).filter((c) => c.status === 'failed').length;
  const errors = all.flatMap((t) => t.cases).filter((c) => c.status === 'error').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(report.suite)}" tests="${report.counts.cases}" failures="${failures}" errors="${errors}" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
