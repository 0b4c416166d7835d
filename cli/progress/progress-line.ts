import type { TaskState } from '../../protocol/index.js';

/** One line of progress: `12/200 done · 3 running · 185 queued · 0 failed`. */
export function formatProgressLine(
  counts: Readonly<Record<TaskState, number>>,
  total: number,
): string {
  const done =
    counts.succeeded + counts.failed + counts.timed_out + counts.unsupported + counts.cancelled;
  const parts = [
    `${done}/${total} done`,
    `${counts.assigned + counts.running} running`,
    `${counts.queued} queued`,
    `${counts.failed + counts.timed_out} failed`,
  ];
  if (counts.unsupported > 0) parts.push(`${counts.unsupported} unsupported`);
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  return parts.join(' · ');
}
