import { describe, expect, it } from 'vitest';
import { resolveDependencies } from '../../../../coordinator/submit-dependencies.js';
import type { TaskResult, TaskSpec } from '../../../../protocol/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const ok: TaskResult = { status: 'succeeded', durationMs: 5 };
const failed: TaskResult = { status: 'failed', durationMs: 5, error: 'assertion' };

/** Submits specs the way the coordinator's edge does: refs resolved to ids first. */
function submitGraph(h: Harness, specs: TaskSpec[]): string[] {
  const tasks = specs.map((spec, i) => ({ id: `g${i}`, spec }));
  const resolved = resolveDependencies(tasks, (id) => h.state.tasks.has(id));
  if ('error' in resolved) throw new Error(resolved.error.message);
  h.run({ type: 'SubmitTasks', now: h.now, tasks: resolved.tasks });
  return tasks.map((t) => t.id);
}

const node = (ref: string, dependsOn?: string[]) =>
  commandSpec({ ref, ...(dependsOn === undefined ? {} : { dependsOn }) });

describe('task dependencies', () => {
  it('runs a diamond in order: the join only after both branches succeed', () => {
    const h = new Harness();
    // Listed child first: a task may depend on one later in the same submit.
    const [join, left, right, root] = submitGraph(h, [
      node('join', ['left', 'right']),
      node('left', ['root']),
      node('right', ['root']),
      node('root'),
    ]);
    h.register('w', { slots: 4 });
    expect(h.assign().map((p) => p.taskId)).toEqual([root]);
    h.report(root!, ok);
    expect(h.assign().map((p) => p.taskId)).toEqual([left, right]);
    h.report(left!, ok);
    expect(h.assign()).toEqual([]);
    h.report(right!, ok);
    expect(h.assign().map((p) => p.taskId)).toEqual([join]);
  });

  it('skips the dependents of a failed parent, all the way down, with the reason', () => {
    const h = new Harness();
    const [parent, child, grandchild, unrelated] = submitGraph(h, [
      node('parent'),
      node('child', ['parent']),
      node('grandchild', ['child']),
      node('unrelated'),
    ]);
    h.register('w', { slots: 4 });
    h.assign();
    h.report(parent!, failed);
    expect(h.task(child!)).toMatchObject({ state: 'skipped' });
    expect(h.task(grandchild!)).toMatchObject({ state: 'skipped' });
    const reasons = h.events.flatMap((e) =>
      e.type === 'TaskEnded' && e.task.state === 'skipped' ? [[e.task.id, e.reason]] : [],
    );
    expect(reasons).toEqual([
      [child, `dependency ${parent} ended failed`],
      [grandchild, `dependency ${child} ended skipped`],
    ]);
    h.report(unrelated!, ok);
    expect(h.assign()).toEqual([]);
  });

  it('refuses a cycle at submit, naming it, and stores nothing', () => {
    const h = new Harness();
    const tasks = [node('a', ['c']), node('b', ['a']), node('c', ['b'])].map((spec, i) => ({
      id: `t${i}`,
      spec,
    }));
    expect(resolveDependencies(tasks, () => false)).toEqual({
      error: {
        code: 'invalid_message',
        message: "tasks[0].dependsOn: a dependency cycle: 'a' → 'c' → 'b' → 'a'",
      },
    });
    const self = [{ id: 't0', spec: node('me', ['me']) }];
    expect(resolveDependencies(self, () => false)).toMatchObject({
      error: { message: "tasks[0].dependsOn: a dependency cycle: 'me' → 'me'" },
    });
    expect(h.state.tasks.size).toBe(0);
  });

  it('refuses an entry that names nothing, and a ref used twice', () => {
    expect(resolveDependencies([{ id: 't0', spec: node('a', ['ghost']) }], () => false)).toEqual({
      error: {
        code: 'invalid_message',
        message:
          "tasks[0].dependsOn: 'ghost' is neither a task id nor the ref of a task in this submit",
      },
    });
    const twice = [node('a'), node('a')].map((spec, i) => ({ id: `t${i}`, spec }));
    expect(resolveDependencies(twice, () => false)).toMatchObject({
      error: { message: "tasks[1].ref: 'a' is also the ref of tasks[0]" },
    });
  });

  it('depends on stored tasks by id: a succeeded parent counts, a failed one skips', () => {
    const h = new Harness();
    const [good, bad] = h.submit(commandSpec(), commandSpec());
    h.register('w', { slots: 2 });
    h.assign();
    h.report(good!, ok);
    h.report(bad!, failed);
    const [afterGood, afterBad] = submitGraph(h, [
      commandSpec({ dependsOn: [good!] }),
      commandSpec({ dependsOn: [bad!] }),
    ]);
    expect(h.task(afterBad!)).toMatchObject({ state: 'skipped' });
    expect(h.assign().map((p) => p.taskId)).toEqual([afterGood]);
  });

  it('skips the dependents of a cancelled task', () => {
    const h = new Harness();
    const [parent, child] = submitGraph(h, [node('parent'), node('child', ['parent'])]);
    h.run({ type: 'CancelTasks', now: h.now, taskIds: [parent!], reason: 'by user' });
    expect(h.task(child!)).toMatchObject({ state: 'skipped' });
  });

  it('skips every task of a 10,000-long chain, in order, when its head is cancelled', () => {
    const h = new Harness();
    const length = 10_000;
    const ids = submitGraph(
      h,
      Array.from({ length }, (_, i) => node(`c${i}`, i === 0 ? undefined : [`c${i - 1}`])),
    );
    const events = h.run({
      type: 'CancelTasks',
      now: h.now,
      taskIds: [ids[0]!],
      reason: 'by user',
    });
    expect(events).toHaveLength(length);
    expect(events[0]).toMatchObject({
      type: 'TaskEnded',
      task: { id: ids[0], state: 'cancelled' },
    });
    for (let i = 1; i < length; i++) {
      const parentEnded = i === 1 ? 'cancelled' : 'skipped';
      expect(events[i]).toMatchObject({
        type: 'TaskEnded',
        task: { id: ids[i], state: 'skipped' },
        reason: `dependency ${ids[i - 1]} ended ${parentEnded}`,
      });
    }
    expect(h.state.dependents.size).toBe(0);
  });

  it('skips a 10,000-long chain at submit when its head depends on a failed task', () => {
    const h = new Harness();
    const [bad] = h.submit(commandSpec());
    h.register('w');
    h.assign();
    h.report(bad!, failed);
    const ids = submitGraph(
      h,
      Array.from({ length: 10_000 }, (_, i) => node(`c${i}`, [i === 0 ? bad! : `c${i - 1}`])),
    );
    expect(ids.every((id) => h.task(id).state === 'skipped')).toBe(true);
  });

  it('finds no cycle in a 10,000-long chain and names a 10,000-long cycle briefly', () => {
    const length = 10_000;
    const chain = Array.from({ length }, (_, i) => ({
      id: `t${i}`,
      spec: node(`c${i}`, i === 0 ? undefined : [`c${i - 1}`]),
    }));
    expect(resolveDependencies(chain, () => false)).toMatchObject({ tasks: { length } });
    const cycle = Array.from({ length }, (_, i) => ({
      id: `t${i}`,
      spec: node(`c${i}`, [`c${(i + 1) % length}`]),
    }));
    const refused = resolveDependencies(cycle, () => false);
    expect(refused).toMatchObject({ error: { code: 'invalid_message' } });
    const { message } = (refused as { error: { message: string } }).error;
    expect(message).toMatch(/^tasks\[0\]\.dependsOn: a dependency cycle: 'c0' → 'c1' → /);
    expect(message).toMatch(/… \(10000 tasks in all\) → 'c0'$/);
    expect(message.length).toBeLessThan(300);
  });
});
