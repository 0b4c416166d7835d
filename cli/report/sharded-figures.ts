import { formatDuration } from '../format/duration.js';
import { formatTable } from '../format/table.js';
import { type ShardedCell, shardedRowName } from './sharded-cells.js';

const MB = 1024 * 1024;

const ms = (value: number) => `${value.toFixed(1)} ms`;

/**
 * What each sharded run that ran measured: throughput, the pipeline's idle share, stalls,
 * activation bytes moved, and per stage its worker, inference and whole-attempt times and
 * that worker's busy fraction.
 */
export function formatShardedFigures(cells: readonly ShardedCell[]): string {
  return cells
    .filter((cell) => cell.figures !== undefined)
    .map((cell) => {
      const figures = cell.figures!;
      const stalledMs = figures.workers.reduce((sum, w) => sum + w.stalledMs, 0);
      const stalls = figures.workers.reduce((sum, w) => sum + w.stalls, 0);
      const busy = new Map(figures.workers.map((w) => [w.worker, w.busyFraction]));
      const header = [
        `${cell.model} ${shardedRowName(cell)} on ${cell.provider}: ${cell.microBatches} micro-batches in ${formatDuration(figures.wallMs)}, ${figures.microBatchesPerSecond.toFixed(2)} micro-batches/s`,
        `bubble fraction ${figures.bubbleFraction.toFixed(2)}`,
        `${stalls} stall(s) (${formatDuration(stalledMs)})`,
        `${(figures.bytesUploaded / MB).toFixed(2)} MB of activations committed, ${(figures.bytesFetched / MB).toFixed(2)} MB read by later stages`,
        `${figures.lostAttempts} attempt(s) lost, ${cell.recoveries?.length ?? 0} recovery(ies)`,
      ].join('; ');
      const stages = formatTable([
        ['STAGE', 'WORKER', 'RUNS', 'RUN', 'TASK', 'WORKER BUSY'],
        ...figures.stages.map((stage) => [
          cell.generations === 1 ? String(stage.stage) : `${stage.generation}.${stage.stage}`,
          stage.workers.join(', '),
          String(stage.runs),
          ms(stage.meanRunMs),
          ms(stage.meanTaskMs),
          stage.workers.map((w) => (busy.get(w) ?? 0).toFixed(2)).join(', '),
        ]),
      ]);
      return [header, ...stages.split('\n').map((line) => `  ${line}`)].join('\n');
    })
    .join('\n\n');
}
