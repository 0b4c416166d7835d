import { describe, expect, it, vi } from 'vitest';
import { LogCompactor } from '../../../../coordinator/cluster/log-compactor.js';
import { apply } from '../../../../coordinator/state/index.js';
import { commandSpec, newState } from '../../../support/fixtures.js';

/** Lets the event loop turn, so a background write-out can go on or fail. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('LogCompactor', () => {
  it('hands over a snapshot once its tail is applied', async () => {
    const state = newState();
    const compactor = new LogCompactor({ entries: 10, tail: 5, onError: () => {} });
    expect(compactor.poll(state, 11, 0)).toBeUndefined();
    expect(compactor.poll(state, 15, 0)).toBeUndefined();
    const handed = await vi.waitFor(() => {
      const snapshot = compactor.poll(state, 16, 0);
      if (snapshot === undefined) throw new Error('not written out yet');
      return snapshot;
    });
    expect(handed.index).toBe(11);
  });

  it('after a snapshot fails, tries again only a tail later, not on every pass', async () => {
    const state = newState();
    apply(state, { type: 'SubmitTasks', now: 1, tasks: [{ id: 'a', spec: commandSpec() }] });
    // A value JSON cannot write makes the write-out fail.
    (state.tasks.get('a')!.spec as unknown as Record<string, unknown>).size = 1n;
    const errors: unknown[] = [];
    const compactor = new LogCompactor({ entries: 10, tail: 5, onError: (e) => errors.push(e) });
    compactor.poll(state, 11, 0);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    for (const applied of [12, 13, 15]) {
      compactor.poll(state, applied, 0);
      await turn();
    }
    expect(errors).toHaveLength(1);
    compactor.poll(state, 16, 0);
    await vi.waitFor(() => expect(errors).toHaveLength(2));
  });
});
