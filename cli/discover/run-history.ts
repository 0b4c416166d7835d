import { join } from 'node:path';
import { type DtfClient, describeError, toHttpUrl } from '../../client/index.js';
import { RestRunsReply, RestWorkersResponse } from '../../protocol/index.js';
import type { CoordinatorAccess } from '../connection.js';
import { printStatus } from '../output.js';
import { getChecked } from '../run/stored-run.js';
import type { MeasuredDurations } from './split-files.js';

/** How many of the suite's latest runs a file's last duration is looked for in. */
const RUNS_LOOKED_AT = 5;

/**
 * How long each vitest test file took the last time it ran, by absolute path, from the tasks of
 * the suite's latest ended runs (the newest that ran a file tells; a shard ran only some).
 * Given `notCommit` (a sharded run's commit), runs of that commit are passed over: the other
 * jobs of a sharded CI build run it too, and every job must split the files with the same
 * durations whichever of them ends first. Empty when there is no such run or it cannot be read.
 */
export async function measuredDurations(
  client: DtfClient,
  access: CoordinatorAccess,
  suite: string,
  notCommit: string | undefined,
): Promise<MeasuredDurations> {
  const files = new Map<string, number>();
  try {
    const path = `/api/runs?suite=${encodeURIComponent(suite)}&limit=50`;
    const { runs } = await getChecked(toHttpUrl(client.url), access.token, path, RestRunsReply);
    const ended = runs.filter(
      (run) =>
        run.status !== 'running' && (notCommit === undefined || run.meta.commit !== notCommit),
    );
    for (const run of ended.slice(0, RUNS_LOOKED_AT)) {
      for (const task of await client.query({ group: run.id, limit: 10_000 })) {
        const output = task.result?.output;
        if (task.spec.kind !== 'vitest' || output?.kind !== 'vitest') continue;
        for (const { file, durationMs } of output.files ?? []) {
          const at = join(task.spec.payload.dir, file);
          if (!files.has(at)) files.set(at, durationMs);
        }
      }
    }
  } catch (error) {
    printStatus(
      `(splitting by file size: the last runs' durations cannot be read: ${describeError(error)})`,
    );
  }
  return files;
}

/**
 * Task slots of the live Node workers the coordinator knows, in all and of the smallest: a
 * vitest task takes one worker's slots.
 */
export async function nodeSlots(
  url: string,
  access: CoordinatorAccess,
): Promise<{ total: number; perWorker: number }> {
  const { workers } = await getChecked(
    toHttpUrl(url),
    access.token,
    '/api/workers',
    RestWorkersResponse,
  );
  const slots = workers
    .filter((w) => w.capabilities.kind === 'node' && w.status === 'connected' && !w.draining)
    .map((w) => w.slots);
  return {
    total: slots.reduce((sum, n) => sum + n, 0),
    perWorker: slots.length === 0 ? 1 : Math.min(...slots),
  };
}
