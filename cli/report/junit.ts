import { escapeXml } from '../format/markup.js';
import { shardedCases, shardedCellName } from './sharded-cells.js';
import type { CaseReport, SuiteReport } from './suite-report.js';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** A case's metrics as JUnit properties (`median_ms`, `max_abs_error`, `tolerance_abs`, …). */
function properties(c: CaseReport): string {
  const entries: Array<[string, unknown]> = Object.entries(c.metrics ?? {}).filter(
    ([, v]) => v !== undefined,
  );
  if (c.quarantined) entries.push(['quarantined', true]);
  if (entries.length === 0) return '';
  const snake = (name: string) => name.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`);
  const lines = entries.map(
    ([name, value]) => `        <property name="${snake(name)}" value="${String(value)}"/>`,
  );
  return ['      <properties>', ...lines, '      </properties>'].join('\n');
}

function testCase(c: CaseReport, classname: string): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(c.name)}" time="${seconds(c.durationMs)}"`;
  const message = escapeXml(c.message ?? '');
  const firstLine = escapeXml((c.message ?? '').split('\n', 1)[0] ?? '');
  const inside: string[] = [];
  const props = properties(c);
  if (props !== '') inside.push(props);
  switch (c.status) {
    case 'passed':
      break;
    case 'skipped':
    case 'todo':
      inside.push(
        c.message === undefined ? '      <skipped/>' : `      <skipped message="${firstLine}"/>`,
      );
      break;
    case 'failed':
      inside.push(`      <failure message="${firstLine}">${message}</failure>`);
      break;
    case 'error':
      inside.push(`      <error message="${firstLine}">${message}</error>`);
      break;
  }
  return inside.length === 0 ? `${open}/>` : [`${open}>`, ...inside, '    </testcase>'].join('\n');
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
