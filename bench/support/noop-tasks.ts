import { PROTOCOL_VERSION, TaskSpec, type TaskSpecInput } from '../../protocol/index.js';

/** The group every benchmark task is submitted in. */
export const BENCH_GROUP = 'bench';

/** A `command` task that does nothing (light workers never run it anyway). */
export const NOOP_TASK: TaskSpecInput = {
  kind: 'command',
  payload: { command: 'true' },
  group: BENCH_GROUP,
};

export function noopTasks(count: number): TaskSpecInput[] {
  return Array.from({ length: count }, () => NOOP_TASK);
}

/** The text of a `submit` message carrying `count` no-op tasks, as a client puts it on the wire. */
export function submitMessageText(count: number): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, id: '1', type: 'submit', tasks: noopTasks(count) });
}

/** A no-op task's spec as the coordinator stores it: validated, defaults filled in. */
export function storedSpecText(): string {
  return JSON.stringify(TaskSpec.parse(NOOP_TASK));
}
