import type { TaskState } from '../../protocol/index.js';

/** Queued tasks the coordinator gave one reason for (`unschedulable: no chromium browser worker`). */
export interface QueuedNote {
  note: string;
  count: number;
  /** The count is of the first tasks asked about; more are queued. */
  atLeast: boolean;
}

const MAX_NOTES = 2;

/**
 * One line of progress: `12/200 done · 3 running · 185 queued · 0 failed`, then why queued
 * tasks wait, most frequent reason first: `· 185 unschedulable: no worker with label gpu=a100`.
 */
export function formatProgressLine(
  counts: Readonly<Record<TaskState, number>>,
  total: number,
  notes: readonly QueuedNote[] = [],
): string {
  const done =
    counts.succeeded +
    counts.failed +
    counts.timed_out +
    counts.unsupported +
    counts.cancelled +
    counts.skipped;
  const parts = [
    `${done}/${total} done`,
    `${counts.assigned + counts.running} running`,
    `${counts.queued} queued`,
    `${counts.failed + counts.timed_out} failed`,
  ];
  if (counts.unsupported > 0) parts.push(`${counts.unsupported} unsupported`);
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  const sorted = [...notes].sort((a, b) => b.count - a.count);
  for (const { note, count, atLeast } of sorted.slice(0, MAX_NOTES)) {
    parts.push(`${count}${atLeast ? '+' : ''} ${note}`);
  }
  if (sorted.length > MAX_NOTES) parts.push(`${sorted.length - MAX_NOTES} more reason(s)`);
  return parts.join(' · ');
}
