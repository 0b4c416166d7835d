import type { ResultReport } from '../protocol/index.js';

/** Room left in each message for everything around the results array. */
const ENVELOPE_BYTES = 64;
const MAX_RESULTS_PER_MESSAGE = 10_000;
const utf8 = new TextEncoder();

/**
 * Splits results into groups whose `result` message stays within the coordinator's message
 * size limit. A single result larger than the limit still goes alone in its own group.
 */
export function batchResults(reports: ResultReport[], maxMessageBytes: number): ResultReport[][] {
  // One result goes alone whatever its size: no need to measure it (a stage's can be 1 MB).
  if (reports.length <= 1) return reports.length === 0 ? [] : [reports];
  const batches: ResultReport[][] = [];
  let batch: ResultReport[] = [];
  let batchBytes = ENVELOPE_BYTES;
  for (const report of reports) {
    const bytes = utf8.encode(JSON.stringify(report)).byteLength + 1;
    const full = batchBytes + bytes > maxMessageBytes || batch.length === MAX_RESULTS_PER_MESSAGE;
    if (batch.length > 0 && full) {
      batches.push(batch);
      batch = [];
      batchBytes = ENVELOPE_BYTES;
    }
    batch.push(report);
    batchBytes += bytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
