import { describe, expect, it } from 'vitest';
import {
  apply,
  auditHash,
  type Command,
  type StateEvent,
} from '../../../../coordinator/state/index.js';
import { type AuditEntry, type AuditStamp, GENESIS_HASH } from '../../../../protocol/index.js';
import { commandSpec, newState } from '../../../support/fixtures.js';

const admin: AuditStamp = { key: 'admin', role: 'admin', from: '127.0.0.1' };
const ci: AuditStamp = { key: 'k_cikey0001', role: 'submitter', from: '10.1.2.3' };

const entriesOf = (events: readonly StateEvent[]): AuditEntry[] =>
  events.flatMap((e) => (e.type === 'Audited' ? [e.entry] : []));

describe('the audit chain', () => {
  it('chains an entry for each stamped command, and none for the rest', () => {
    const state = newState();
    const submitted = apply(state, {
      type: 'SubmitTasks',
      now: 10,
      tasks: [{ id: 't1', spec: commandSpec({ group: 'g' }) }],
      audit: ci,
    });
    const [first] = entriesOf(submitted);
    expect(first).toMatchObject({
      seq: 1,
      at: 10,
      ...ci,
      action: 'submit',
      target: '1 task (command) in group g: t1',
      prev: GENESIS_HASH,
    });
    expect(first!.hash).toBe(auditHash(GENESIS_HASH, first!));
    // A worker's or the coordinator's own commands carry no stamp: nothing is appended.
    expect(entriesOf(apply(state, { type: 'Tick', now: 11 }))).toEqual([]);
    expect(
      entriesOf(apply(state, { type: 'DrainWorker', now: 12, workerId: 'w', by: 'worker' })),
    ).toEqual([]);
    const [second] = entriesOf(
      apply(state, { type: 'CancelTasks', now: 13, group: 'g', reason: 'r', audit: admin }),
    );
    expect(second).toMatchObject({ seq: 2, action: 'cancel', target: 'group g: 1 task cancelled' });
    expect(second!.prev).toBe(first!.hash);
    expect(state.auditHead).toEqual({ seq: 2, hash: second!.hash });
  });

  it('is the same on every member: the same commands give the same hashes', () => {
    const commands: Command[] = [
      { type: 'SubmitTasks', now: 1, tasks: [{ id: 'a', spec: commandSpec() }], audit: ci },
      {
        type: 'RecordAudit',
        now: 2,
        audit: admin,
        action: 'leadership.transfer',
        target: 'c1 to c2',
      },
    ];
    const heads = [newState(), newState()].map((state) => {
      for (const command of commands) apply(state, structuredClone(command));
      return state.auditHead;
    });
    expect(heads[0]).toEqual(heads[1]);
    expect(heads[0]!.seq).toBe(2);
  });

  it('names how a refused change ended, and bounds what it says', () => {
    const state = newState();
    const spec = commandSpec({ idempotencyKey: 'same' });
    apply(state, { type: 'SubmitTasks', now: 1, tasks: [{ id: 'a', spec }] });
    const [refused] = entriesOf(
      apply(state, {
        type: 'SubmitTasks',
        now: 2,
        tasks: [{ id: 'b', spec: commandSpec({ idempotencyKey: 'same', name: 'other' }) }],
        audit: ci,
      }),
    );
    expect(refused!.target).toBe("refused: idempotency key 'same' reused");
    const many = Array.from({ length: 500 }, (_, i) => ({
      id: `task-with-a-long-id-${i}`,
      spec: commandSpec({ group: 'g'.repeat(100) }),
    }));
    const [long] = entriesOf(apply(state, { type: 'SubmitTasks', now: 3, tasks: many, audit: ci }));
    expect(long!.target.length).toBeLessThanOrEqual(300);
    expect(long!.target).toMatch(/^500 tasks \(command\)/);
  });
});
