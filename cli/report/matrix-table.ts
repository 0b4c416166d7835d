import { formatTable } from '../format/table.js';
import type { MatrixCell } from './matrix-cells.js';

const MAX_REASON = 140;

function cellText(cell: MatrixCell | undefined, footnote: number | undefined): string {
  if (cell === undefined) return '-';
  const note = footnote === undefined ? '' : ` [${footnote}]`;
  switch (cell.verdict) {
    case 'pass':
      return `pass ${latency(cell)}`;
    case 'fail':
      return `FAIL${note}`;
    case 'unsupported':
      return `unsupported${note}`;
    case 'error':
      return `ERROR${note}`;
  }
}

/** The median; `~` marks the mean where the browser's clock was too coarse to resolve a run. */
function latency(cell: MatrixCell): string {
  if (cell.medianMs! > 0 || cell.meanMs === undefined) return `${cell.medianMs!.toFixed(2)} ms`;
  return `~${cell.meanMs.toFixed(2)} ms`;
}

/**
 * The cross-browser matrix: a row per model and worker, a column per execution provider, each
 * cell pass (with median latency), FAIL, ERROR or unsupported; reasons follow as footnotes.
 */
export function formatMatrixTable(cells: readonly MatrixCell[]): string {
  const providers = [...new Set(cells.map((c) => c.provider))];
  const rowKeys = [...new Set(cells.map((c) => `${c.model}\u0000${c.worker}`))];
  const footnotes: string[] = [];
  const footnoteOf = (text: string): number => {
    const existing = footnotes.indexOf(text);
    if (existing !== -1) return existing + 1;
    footnotes.push(text);
    return footnotes.length;
  };
  const rows = rowKeys.map((key) => {
    const [model, worker] = key.split('\u0000') as [string, string];
    return [
      model,
      worker,
      ...providers.map((provider) => {
        const cell = cells.find(
          (c) => c.model === model && c.worker === worker && c.provider === provider,
        );
        let footnote: number | undefined;
        if (cell?.reason !== undefined && cell.verdict !== 'pass') {
          const reason = cell.reason.split('\n', 1)[0] ?? '';
          const short = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
          footnote = footnoteOf(`${worker} ${provider}: ${short}`);
        }
        return cellText(cell, footnote);
      }),
    ];
  });
  const table = formatTable([['MODEL', 'WORKER', ...providers], ...rows]);
  const notes = footnotes.map((text, i) => `[${i + 1}] ${text}`);
  return [table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
