import { describe, expect, it } from 'vitest';
import {
  checkLinearizability,
  HistoryRecorder,
  type Operation,
  type TaskQueueInput,
  type TaskQueueOutput,
  type TaskRead,
  taskQueueModel,
} from '../../../support/linearizability/index.js';

type TaskOp = Operation<TaskQueueInput, TaskQueueOutput>;

function op(
  client: string,
  input: TaskQueueInput,
  output: TaskQueueOutput,
  call: number,
  ret?: number,
): TaskOp {
  return ret === undefined
    ? { clientId: client, input, call }
    : { clientId: client, input, output, call, return: ret };
}

const submit = (client: string, taskId: string, call: number, ret?: number) =>
  op(client, { op: 'submit', taskId }, 'ok', call, ret);
const complete = (
  client: string,
  taskId: string,
  attempt: number,
  result: string,
  output: 'recorded' | 'rejected',
  call: number,
  ret?: number,
) => op(client, { op: 'complete', taskId, attempt, result }, output, call, ret);
const read = (client: string, taskId: string, seen: TaskRead, call: number, ret?: number) =>
  op(client, { op: 'read', taskId }, seen, call, ret);

const unknown: TaskRead = { state: 'unknown' };
const queued: TaskRead = { state: 'queued' };
const running: TaskRead = { state: 'running' };
const done = (attempt: number, result: string): TaskRead => ({ state: 'done', attempt, result });

function check(history: TaskOp[]) {
  return checkLinearizability(taskQueueModel, history);
}

function explain(history: TaskOp[]) {
  const result = check(history);
  if (result.verdict !== 'violation')
    throw new Error(`expected a violation, got ${result.verdict}`);
  return result.explanation;
}

describe('the task-queue model', () => {
  it('accepts a task going through its life', () => {
    const history = [
      read('client', 't1', unknown, 0, 1),
      submit('client', 't1', 2, 3),
      read('client', 't1', queued, 4, 5),
      read('watcher', 't1', running, 6, 7),
      complete('worker', 't1', 1, 'succeeded', 'recorded', 8, 9),
      read('client', 't1', done(1, 'succeeded'), 10, 11),
      submit('client', 't1', 12, 13),
      read('watcher', 't1', done(1, 'succeeded'), 14, 15),
    ];
    expect(check(history)).toMatchObject({ ok: true, stats: { partitions: 1, operations: 8 } });
  });

  describe('an acknowledged submit is never lost', () => {
    it('finds a read of unknown after the submit was acknowledged', () => {
      const explanation = explain([
        submit('client', 't1', 0, 1),
        read('other', 't1', queued, 2, 3),
        read('client', 't1', unknown, 4, 5),
      ]);
      expect(explanation.stateAfterPrefix).toBe('submitted');
      expect(explanation.unplaced).toEqual([
        { operation: read('client', 't1', unknown, 4, 5), reason: 'rejected' },
      ]);
      expect(explanation.message).toContain('client client: read(t1) → unknown [4, 5]');
    });

    it('lets a read concurrent with the submit miss it', () => {
      expect(check([submit('client', 't1', 0, 10), read('other', 't1', unknown, 2, 3)]).ok).toBe(
        true,
      );
    });

    it('treats a submit that never returned as possibly done, possibly not', () => {
      const lost = submit('client', 't1', 0);
      expect(check([lost, read('other', 't1', unknown, 5, 6)]).ok).toBe(true);
      expect(check([lost, read('other', 't1', queued, 5, 6)]).ok).toBe(true);
      expect(
        check([lost, read('other', 't1', unknown, 5, 6), read('other', 't1', queued, 7, 8)]).ok,
      ).toBe(true);
      // Once seen, it stays.
      expect(
        check([lost, read('other', 't1', queued, 5, 6), read('other', 't1', unknown, 7, 8)]).ok,
      ).toBe(false);
    });

    it('finds a result recorded for a task that was never submitted', () => {
      expect(check([complete('worker', 't1', 1, 'succeeded', 'recorded', 0, 1)]).ok).toBe(false);
      // A submit that never returned explains it: it took effect.
      expect(
        check([
          submit('client', 't1', 0),
          complete('worker', 't1', 1, 'succeeded', 'recorded', 2, 3),
        ]).ok,
      ).toBe(true);
    });
  });

  describe('a result is recorded at most once and never changes', () => {
    const submitted = submit('client', 't1', 0, 1);

    it('finds a second, different recorded result', () => {
      const explanation = explain([
        submitted,
        complete('w1', 't1', 1, 'succeeded', 'recorded', 2, 3),
        complete('w2', 't1', 2, 'failed', 'recorded', 4, 5),
      ]);
      expect(explanation.stateAfterPrefix).toBe('completed(1, "succeeded")');
      expect(explanation.unplaced).toEqual([
        {
          operation: complete('w2', 't1', 2, 'failed', 'recorded', 4, 5),
          reason: 'rejected',
        },
      ]);
    });

    it('finds two attempts recorded even when their results agree', () => {
      expect(
        check([
          submitted,
          complete('w1', 't1', 1, 'succeeded', 'recorded', 2, 10),
          complete('w2', 't1', 2, 'succeeded', 'recorded', 3, 11),
        ]).ok,
      ).toBe(false);
    });

    it('accepts a replay of the same result and the refusal of another', () => {
      expect(
        check([
          submitted,
          complete('w1', 't1', 1, 'succeeded', 'recorded', 2, 3),
          complete('w1', 't1', 1, 'succeeded', 'recorded', 4, 5),
          complete('w2', 't1', 2, 'failed', 'rejected', 6, 7),
          read('client', 't1', done(1, 'succeeded'), 8, 9),
        ]).ok,
      ).toBe(true);
    });

    it('finds a read that sees a result other than the recorded one', () => {
      const recorded = complete('w1', 't1', 1, 'succeeded', 'recorded', 2, 3);
      expect(check([submitted, recorded, read('c', 't1', done(1, 'failed'), 4, 5)]).ok).toBe(false);
      expect(check([submitted, recorded, read('c', 't1', done(2, 'succeeded'), 4, 5)]).ok).toBe(
        false,
      );
      // A terminal task whose result was never recorded.
      expect(check([submitted, read('c', 't1', done(1, 'succeeded'), 4, 5)]).ok).toBe(false);
    });

    it('lets a complete whose answer was lost have taken effect or not', () => {
      const lost = complete('w1', 't1', 1, 'succeeded', 'recorded', 2);
      expect(check([submitted, lost, read('c', 't1', queued, 4, 5)]).ok).toBe(true);
      expect(check([submitted, lost, read('c', 't1', done(1, 'succeeded'), 4, 5)]).ok).toBe(true);
      // If it was refused, another attempt's result may be the one recorded.
      expect(
        check([
          submitted,
          lost,
          complete('w2', 't1', 2, 'failed', 'recorded', 4, 5),
          read('c', 't1', done(2, 'failed'), 6, 7),
        ]).ok,
      ).toBe(true);
    });
  });

  describe('reads never go back in time', () => {
    const submitted = submit('client', 't1', 0, 1);
    const recorded = complete('w1', 't1', 1, 'succeeded', 'recorded', 2, 20);

    it('finds a read that sees the task live after another saw it done', () => {
      expect(
        check([
          submitted,
          recorded,
          read('a', 't1', done(1, 'succeeded'), 3, 4),
          read('b', 't1', running, 5, 6),
        ]).ok,
      ).toBe(false);
      // Concurrent with the complete, in the other order, it is fine.
      expect(
        check([
          submitted,
          recorded,
          read('a', 't1', running, 3, 4),
          read('b', 't1', done(1, 'succeeded'), 5, 6),
        ]).ok,
      ).toBe(true);
    });

    it('finds a read that sees the task live after its complete returned', () => {
      expect(
        check([
          submitted,
          complete('w1', 't1', 1, 'ok', 'recorded', 2, 3),
          read('a', 't1', queued, 4, 5),
        ]).ok,
      ).toBe(false);
    });

    it('accepts reads that overlap each other in either order', () => {
      expect(
        check([
          submitted,
          recorded,
          read('a', 't1', done(1, 'succeeded'), 3, 10),
          read('b', 't1', running, 5, 12),
        ]).ok,
      ).toBe(true);
    });
  });

  it('rejects outputs that do not belong to the operation', () => {
    expect(check([op('c', { op: 'submit', taskId: 't1' }, 'recorded', 0, 1)]).ok).toBe(false);
    expect(
      check([submit('c', 't1', 0, 1), op('c', { op: 'read', taskId: 't1' }, 'ok', 2, 3)]).ok,
    ).toBe(false);
    expect(
      check([
        submit('c', 't1', 0, 1),
        op('w', { op: 'complete', taskId: 't1', attempt: 1, result: 'x' }, queued, 2, 3),
      ]).ok,
    ).toBe(false);
  });

  it('checks each task on its own and names the one that fails', () => {
    const history = [
      submit('client', 'a', 0, 1),
      submit('client', 'b', 0, 1),
      submit('client', 'c', 0, 1),
      complete('w', 'b', 1, 'succeeded', 'recorded', 2, 3),
      read('client', 'a', queued, 4, 5),
      read('client', 'b', queued, 4, 5),
      read('client', 'c', queued, 4, 5),
    ];
    const result = check(history);
    expect(result.stats.partitions).toBe(3);
    if (result.verdict !== 'violation') throw new Error(result.verdict);
    expect(result.explanation.partitionIndex).toBe(1);
    expect(result.explanation.operations.map((o) => o.input.taskId)).toEqual(['b', 'b', 'b']);
    expect(result.explanation.message).toBe(
      [
        'not linearizable: partition 2 of 3 (3 operations)',
        'longest linearizable prefix: 2 of 3 operations, ending',
        '  client client: submit(b) → ok [0, 1]',
        '  client w: complete(b, attempt 1, "succeeded") → recorded [2, 3]',
        'state after it: completed(1, "succeeded")',
        'no operation that could come next fits:',
        '  client client: read(b) → queued [4, 5]: not allowed in this state',
      ].join('\n'),
    );
  });
});

describe('HistoryRecorder', () => {
  it('records calls and returns on a logical clock, keeping failed calls open', async () => {
    const recorder = new HistoryRecorder<TaskQueueInput, TaskQueueOutput>();
    const pendingSubmit = recorder.invoke('c1', { op: 'submit', taskId: 't1' });
    const refused = recorder.invoke('c2', { op: 'submit', taskId: 't2' });
    await expect(
      recorder.run('c3', { op: 'read', taskId: 't1' }, async () => {
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    pendingSubmit.respond('ok');
    refused.discard();
    expect(() => refused.respond('ok')).toThrow(/already settled/);
    const seen = await recorder.run('c3', { op: 'read', taskId: 't1' }, async () => queued);
    expect(seen).toEqual(queued);
    const lost = recorder.invoke('c4', { op: 'submit', taskId: 't3' });
    void lost;
    expect(recorder.history()).toEqual([
      { clientId: 'c1', input: { op: 'submit', taskId: 't1' }, output: 'ok', call: 0, return: 3 },
      { clientId: 'c3', input: { op: 'read', taskId: 't1' }, call: 2 },
      { clientId: 'c3', input: { op: 'read', taskId: 't1' }, output: queued, call: 4, return: 5 },
      { clientId: 'c4', input: { op: 'submit', taskId: 't3' }, call: 6 },
    ]);
    expect(check([...recorder.history()]).ok).toBe(true);
  });

  it('takes another clock', () => {
    let now = 100;
    const recorder = new HistoryRecorder<TaskQueueInput, TaskQueueOutput>(() => (now += 10));
    recorder.invoke('c', { op: 'submit', taskId: 't' }).respond('ok');
    expect(recorder.history()).toEqual([
      { clientId: 'c', input: { op: 'submit', taskId: 't' }, output: 'ok', call: 110, return: 120 },
    ]);
  });
});
