import { z } from 'zod';
import { ExecutionProvider } from './kinds/model.js';

/** Measured milliseconds per GFLOP of stage work, and how many stage runs it folds in. */
export const SpeedFigure = z.object({
  msPerGflop: z.number().nonnegative(),
  samples: z.number().int().positive(),
});
export type SpeedFigure = z.infer<typeof SpeedFigure>;

const byBackend = z.partialRecord(ExecutionProvider, SpeedFigure);

/**
 * `GET /api/shard/speeds`: how fast stages ran, from every succeeded `shard-stage` task with a
 * cost estimate: per worker by name (a pool's members keep their names across restarts, not
 * their ids) and per browser (`node` for Node workers), each per backend.
 */
export const StageSpeeds = z.object({
  byWorker: z.record(z.string(), byBackend),
  byBrowser: z.record(z.string(), byBackend),
});
export type StageSpeeds = z.infer<typeof StageSpeeds>;
