import { type DtfClient, type Subscription, TaskProgress } from '../../client/index.js';
import type { TaskEvent, TaskState } from '../../protocol/index.js';

/** A subscription to a group that resolves `done` once it has `expected` tasks, all ended. */
export interface GroupCompletion {
  /** The count of tasks in each state at the end. */
  readonly done: Promise<Readonly<Record<TaskState, number>>>;
  close(): Promise<void>;
}

/**
 * Follows `group`, which may still be empty: unlike `DtfClient.waitFor`, which ends at once
 * on an empty group, this waits until `expected` tasks have joined it and ended.
 */
export async function watchGroupCompletion(
  client: DtfClient,
  group: string,
  expected: number,
): Promise<GroupCompletion> {
  const progress = new TaskProgress();
  let finish: (counts: Readonly<Record<TaskState, number>>) => void = () => {};
  const done = new Promise<Readonly<Record<TaskState, number>>>((resolve) => {
    finish = resolve;
  });
  const accept = (events: readonly TaskEvent[]) => {
    for (const event of events) progress.apply(event);
    if (progress.total >= expected && progress.allTerminal()) finish(progress.countsByState());
  };
  const subscription: Subscription = await client.subscribe({ group }, accept);
  accept(subscription.snapshot);
  return { done, close: () => subscription.close() };
}
