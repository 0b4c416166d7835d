import { schedule } from '../../coordinator/scheduler/index.js';
import { apply } from '../../coordinator/state/index.js';
import { loadState, openDatabase } from '../../coordinator/store/index.js';
import { probeCapabilities } from '../../node-worker/index.js';
import { registerCommand, STATE_CONFIG } from './fill-store.js';

/**
 * The time of each scheduling decision with the queue full: every worker busy, then one slot
 * frees (a result arrives) and the scheduler picks the next task for it, `decisions` times.
 */
export async function timeSchedulingDecisions(
  dataDir: string,
  workers: number,
  decisions: number,
): Promise<number[]> {
  const db = openDatabase(dataDir);
  const state = loadState(db, STATE_CONFIG, Date.now());
  db.close();
  const capabilities = await probeCapabilities();
  for (let i = 0; i < workers; i++) apply(state, registerCommand(`worker-${i}`, i, capabilities));
  apply(state, { type: 'AssignTasks', now: Date.now(), placements: schedule(state) });
  const busy = [...state.workers.values()].filter(
    (w) => w.status === 'connected' && w.running.size > 0,
  );
  const times: number[] = [];
  for (let i = 0; i < decisions; i++) {
    const worker = busy[i % busy.length]!;
    const task = state.tasks.get([...worker.running][0]!)!;
    const lease = { taskId: task.id, attempt: task.attempt, leaseToken: task.leaseToken };
    apply(state, {
      type: 'RecordResults',
      now: Date.now(),
      workerId: worker.id,
      reports: [{ ...lease, result: { status: 'succeeded', durationMs: 0 } }],
    });
    const started = performance.now();
    const placements = schedule(state);
    times.push(performance.now() - started);
    apply(state, { type: 'AssignTasks', now: Date.now(), placements });
  }
  return times;
}
