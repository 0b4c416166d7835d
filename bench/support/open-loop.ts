import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `send(0)` … `send(count - 1)` on a fixed schedule of `perSecond` calls a second,
 * whatever happens to earlier sends (an open loop): a call that falls behind its slot, because
 * the event loop was busy, is made as soon as the loop is free again. Resolves after the last
 * call; `send` must not wait for replies.
 */
export async function sendOnSchedule(
  count: number,
  perSecond: number,
  send: (index: number) => void,
): Promise<void> {
  const intervalMs = 1000 / perSecond;
  const started = performance.now();
  let next = 0;
  while (next < count) {
    const due = Math.min(count, Math.floor((performance.now() - started) / intervalMs) + 1);
    while (next < due) send(next++);
    if (next < count) await sleep(Math.max(0, started + next * intervalMs - performance.now()));
  }
}
