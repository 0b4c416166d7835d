import pino from 'pino';
import { expect, it } from 'vitest';
import type { CoordinatorContext } from '../../../../coordinator/context.js';
import { RegressionWatch } from '../../../../coordinator/webhooks/regressions.js';
import type { Notification } from '../../../../protocol/index.js';
import { immediateCommits, newState } from '../../../support/fixtures.js';

it('a step up in latency is one regression notification, on the run that makes it sure, naming the commit range', async () => {
  const state = newState();
  let watch: RegressionWatch;
  const commit = immediateCommits(state, (events) => watch.onCommitted(events));
  const ctx = {
    state,
    commit,
    logger: pino({ level: 'silent' }),
    now: () => 0,
  } as unknown as CoordinatorContext;
  watch = new RegressionWatch(ctx);
  commit.submit({
    type: 'AddWebhook',
    now: 0,
    webhook: {
      id: 'a',
      url: 'http://receiver/hook',
      events: ['regression'],
      format: 'json',
      secret: 'sixteen-chars-or-more',
      createdAt: 0,
    },
  });
  // 10 ms (with a little noise) for 8 runs, then 15 ms.
  const queuedAfter: string[][] = [];
  for (let i = 0; i < 16; i++) {
    const id = `r${i}`;
    const medianMs = (i < 8 ? 10 : 15) + (i % 3) * 0.1;
    commit.submit({
      type: 'OpenRun',
      now: i * 1000,
      run: { id, suite: 's', meta: { commit: `c${i}` } },
    });
    commit.submit({
      type: 'RecordRunResults',
      now: i * 1000 + 1,
      runId: id,
      results: [
        {
          test: 'model mlp',
          kind: 'model',
          status: 'passed',
          durationMs: 1,
          browser: 'node',
          metrics: { medianMs },
        },
      ],
      end: { status: 'passed' },
    });
    await watch.settled();
    queuedAfter.push([...state.deliveries.keys()]);
  }
  const ids = queuedAfter.at(-1)!;
  expect(ids).toHaveLength(1);
  const [id] = ids;
  const firstSeen = queuedAfter.findIndex((list) => list.length > 0);
  // Four runs on each side of a change at the least: the change at run 8 is sure at run 11.
  expect(firstSeen).toBe(11);
  expect(id).toBe('r11:regression:a');
  const notification = state.deliveries.get(id!)!.notification as Extract<
    Notification,
    { event: 'regression' }
  >;
  expect(notification.regressions).toHaveLength(1);
  expect(notification.regressions[0]).toMatchObject({
    test: 'model mlp',
    browser: 'node',
    metric: 'medianMs',
    before: { runId: 'r7', commit: 'c7' },
    after: { runId: 'r8', commit: 'c8' },
  });
  expect(notification.regressions[0]!.relativeChange).toBeCloseTo(0.5, 1);
});
