import type { Figure } from './figure.js';
import { formatRatio, formatValue } from './format.js';

const HEADER = ['name', 'value', 'unit', 'baseline', 'ratio'];

/** Table rows: one per comparison, the figure's own cells only on its first row. */
function rows(figure: Figure): string[][] {
  const own = [figure.name, formatValue(figure.value), figure.unit];
  if (figure.comparisons.length === 0) return [[...own, '', '']];
  return figure.comparisons.map((c, i) => [
    ...(i === 0 ? own : ['', '', '']),
    c.baseline,
    formatRatio(c.ratio),
  ]);
}

/** The figures as a plain-text table; numbers are right-aligned. */
export function formatTable(figures: readonly Figure[]): string {
  const body = figures.flatMap(rows);
  const widths = HEADER.map((h, col) => Math.max(h.length, ...body.map((r) => r[col]!.length)));
  const numeric = new Set([1, 4]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, col) =>
        numeric.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADER), rule, ...body.map(line)].join('\n');
}
