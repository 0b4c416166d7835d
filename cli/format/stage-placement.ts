import type { LivePlacement } from '../shard/live-placement.js';
import { formatTable } from './table.js';

/**
 * A placement for people: which worker and backend each stage goes to, its expected time and
 * where that figure comes from, each stage's reason in full, and the pairs no run has measured.
 */
export function formatLivePlacement(placement: LivePlacement): string {
  const browserOf = new Map(placement.workers.map((worker) => [worker.id, worker.browser]));
  const table = formatTable([
    ['STAGE', 'WORKER', 'BROWSER', 'BACKEND', 'EXPECTED', 'SPEED'],
    ...placement.stages.map((stage) => [
      String(stage.stage),
      stage.workerName,
      browserOf.get(stage.workerId) ?? '',
      stage.backend,
      `${stage.expectedMs.toFixed(1)} ms`,
      stage.speed.source === 'none'
        ? 'unmeasured'
        : `${stage.speed.msPerGflop.toFixed(1)} ms/GFLOP (${stage.speed.samples} runs of this ${stage.speed.source})`,
    ]),
  ]);
  const lines = [
    `placement over ${placement.workers.length} live worker(s) that take stages (backends ${placement.backends.join(', ')}); the busiest expects ${placement.bottleneckMs.toFixed(1)} ms a micro-batch`,
    '',
    table,
    '',
    ...placement.stages.map((stage) => `stage ${stage.stage}: ${stage.why}`),
  ];
  if (placement.unmeasured.length > 0) {
    const pairs = placement.unmeasured.map(
      (pair) =>
        `${pair.worker} ${pair.backend} (${pair.speedSource === 'browser' ? "its browser's history used" : 'no history'})`,
    );
    lines.push(
      '',
      `unmeasured, so placed on estimates (a sharded run measures them before it places its stages): ${pairs.join(', ')}`,
    );
  }
  return lines.join('\n');
}
