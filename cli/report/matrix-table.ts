import { formatTable } from '../format/table.js';
import type { CellVerdict, MatrixCell } from './matrix-cells.js';
import { formatWorkerCounts, type ShardedCell, shardedRowName } from './sharded-cells.js';

function cellText(
  cell: { verdict: CellVerdict; latency: string } | undefined,
  footnote: number | undefined,
): string {
  if (cell === undefined) return '-';
  const note = footnote === undefined ? '' : ` [${footnote}]`;
  switch (cell.verdict) {
    case 'pass':
      return `pass ${cell.latency}`;
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

/** A row of the table: a model on a worker, or a model sharded over several. */
interface Row {
  model: string;
  worker: string;
  cells: Map<string, { verdict: CellVerdict; reason?: string | undefined; latency: string }>;
}

function rowsOf(cells: readonly MatrixCell[], sharded: readonly ShardedCell[]): Row[] {
  const rows = new Map<string, Row>();
  const rowFor = (model: string, worker: string) => {
    const key = `${model}\u0000${worker}`;
    const row = rows.get(key) ?? { model, worker, cells: new Map() };
    rows.set(key, row);
    return row;
  };
  for (const cell of cells) {
    rowFor(cell.model, cell.worker).cells.set(cell.provider, {
      verdict: cell.verdict,
      reason: cell.reason,
      latency: cell.verdict === 'pass' ? latency(cell) : '',
    });
  }
  for (const cell of sharded) {
    rowFor(cell.model, shardedRowName(cell)).cells.set(cell.provider, {
      verdict: cell.verdict,
      reason: cell.reason,
      latency: cell.verdict === 'pass' ? `${cell.msPerMicroBatch!.toFixed(2)} ms` : '',
    });
  }
  // A model's sharded rows follow its rows on single workers.
  const models = [...new Set([...rows.values()].map((row) => row.model))];
  return models.flatMap((model) => [...rows.values()].filter((row) => row.model === model));
}

/** A sharded row's WORKER column: its name and the workers its runs' stages ran on. */
function workerColumn(row: Row, sharded: readonly ShardedCell[]): string {
  const runs = sharded.filter((c) => c.model === row.model && shardedRowName(c) === row.worker);
  if (runs.length === 0) return row.worker;
  const counts: Record<string, number> = {};
  for (const run of runs) {
    for (const [browser, n] of Object.entries(run.workers)) {
      counts[browser] = Math.max(counts[browser] ?? 0, n);
    }
  }
  const workers = formatWorkerCounts(counts);
  return workers === '' ? row.worker : `${row.worker} (${workers})`;
}

/** The matrix as a grid: header, rows of cell texts, and the footnotes the cells point to. */
export interface MatrixGrid {
  header: string[];
  rows: string[][];
  footnotes: string[];
}

/**
 * The cross-browser matrix: a row per model and worker, and per sharded model, a column per
 * execution provider, each cell pass (with median latency; for a sharded row, the run's wall
 * time per micro-batch), FAIL, ERROR or unsupported; reasons follow as footnotes.
 */
export function matrixGrid(
  cells: readonly MatrixCell[],
  sharded: readonly ShardedCell[] = [],
): MatrixGrid {
  const providers = [...new Set([...cells, ...sharded].map((c) => c.provider))];
  const footnotes: string[] = [];
  const footnoteOf = (text: string): number => {
    const existing = footnotes.indexOf(text);
    if (existing !== -1) return existing + 1;
    footnotes.push(text);
    return footnotes.length;
  };
  const rows = rowsOf(cells, sharded).map((row) => [
    row.model,
    workerColumn(row, sharded),
    ...providers.map((provider) => {
      const cell = row.cells.get(provider);
      let footnote: number | undefined;
      // The whole reason, however long: a cut one hides what failed.
      if (cell?.reason !== undefined && cell.verdict !== 'pass') {
        footnote = footnoteOf(`${row.worker} ${provider}: ${cell.reason}`);
      }
      return cellText(cell, footnote);
    }),
  ]);
  return { header: ['MODEL', 'WORKER', ...providers], rows, footnotes };
}

/** The matrix for the terminal, footnotes under it. */
export function formatMatrixTable(
  cells: readonly MatrixCell[],
  sharded: readonly ShardedCell[] = [],
): string {
  const grid = matrixGrid(cells, sharded);
  const table = formatTable([grid.header, ...grid.rows]);
  const notes = grid.footnotes.map((text, i) => {
    const mark = `[${i + 1}] `;
    return mark + text.split('\n').join(`\n${' '.repeat(mark.length)}`);
  });
  return [table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
