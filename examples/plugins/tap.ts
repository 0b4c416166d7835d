import { writeFile } from 'node:fs/promises';
import { type DtfPlugin, definePlugin, type SuiteReport } from 'dtf';

/** YAML block scalars for a TAP diagnostic: each line indented under its key. */
const block = (text: string) =>
  text
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');

/** Names in TAP cannot hold `#` (a directive) or a line break. */
const safeName = (name: string) => name.replace(/#/g, '\\#').replace(/\s+/g, ' ');

/** The run as TAP version 14: one test point per case, a diagnostic for each failure. */
export function toTap(report: SuiteReport): string {
  const cases = report.tasks.flatMap((task) => task.cases);
  const lines = ['TAP version 14', `1..${cases.length}`];
  cases.forEach((c, index) => {
    const n = index + 1;
    const name = safeName(c.name);
    if (c.status === 'skipped' || c.status === 'todo') {
      lines.push(`ok ${n} - ${name} # ${c.status === 'todo' ? 'TODO' : 'SKIP'}`);
      return;
    }
    const ok = c.status === 'passed';
    // A quarantined failure fails no run: TAP's TODO says the same to its readers.
    const todo = c.quarantined === true ? ' # TODO quarantined' : '';
    lines.push(`${ok ? 'ok' : 'not ok'} ${n} - ${name}${todo}`);
    if (!ok || c.message !== undefined) {
      lines.push('  ---', `  duration_ms: ${Math.round(c.durationMs)}`, `  status: ${c.status}`);
      if (c.message !== undefined) lines.push('  message: |-', block(c.message));
      lines.push('  ...');
    }
  });
  return `${lines.join('\n')}\n`;
}

/** `tap`: writes the run as TAP 14 (`<out>/<suite>.tap`), for the many tools that read TAP. */
export default function tap(): DtfPlugin {
  return definePlugin({
    name: 'tap',
    reporters: [
      {
        name: 'tap',
        async onRunEnd(report, context) {
          const file = context.fileFor('.tap');
          await writeFile(file, toTap(report));
          return [file];
        },
      },
    ],
  });
}
