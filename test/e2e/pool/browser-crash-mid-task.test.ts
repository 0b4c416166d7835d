import pino from 'pino';
import { expect, it } from 'vitest';
import { startPool } from '../../../browser-worker/pool/index.js';
import { workerLostReporter } from '../../../cli/worker-lost-reporter.js';
import { DtfClient, workerPageUrl } from '../../../client/index.js';
import type { TaskEvent } from '../../../protocol/index.js';
import { startCoordinatorProcess } from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';
import { PoolEventLog } from './pool-events.js';

cleanUpAfterAll();
const logger = pino({ level: 'error' }, pino.destination(2));

/** A page test that takes long enough to be killed in the middle of. */
const SLOW_MODULE = `data:text/javascript,${encodeURIComponent(
  'export const tests = { slow: () => new Promise((resolve) => setTimeout(resolve, 1500)) };',
)}`;

it('kill -9 of a browser mid-task: the pool relaunches it and the task succeeds on a retry', async () => {
  // The pool's report must reach the coordinator before the killed page's heartbeats are missed:
  // a generous allowance, since on a busy machine the report took longer than the default 600 ms.
  // Without a report the worker is still expired, for no heartbeat, and the test fails.
  const coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: ['--heartbeat-misses', '50'],
  });
  const log = new PoolEventLog();
  const pool = await startPool({
    workerPageUrl: workerPageUrl(coordinator.url, coordinator.workerToken),
    browsers: [{ name: 'chromium', count: 1 }],
    driver: 'puppeteer',
    logger,
    onProgress: log.record,
    onWorkerLost: workerLostReporter([coordinator.url], coordinator.workerToken, logger),
  });
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  try {
    await pool.ready;
    let running!: (event: TaskEvent) => void;
    const started = new Promise<TaskEvent>((resolve) => {
      running = resolve;
    });
    await client.subscribe({ group: 'crash' }, (events) => {
      const event = events.find((e) => e.state === 'running');
      if (event !== undefined) running(event);
    });
    const [taskId] = await client.submit([
      {
        kind: 'page-test',
        payload: { module: SLOW_MODULE },
        group: 'crash',
        requirements: { browser: 'chromium' },
      },
    ]);
    const firstAttempt = await started;
    expect(firstAttempt.attempt).toBe(1);

    const [member] = pool.members();
    // The member names the worker its page registered as: the one running the task.
    expect(member!.workerId).toBe(firstAttempt.workerId);
    const since = log.events.length;
    process.kill(member!.pid!, 'SIGKILL');
    await log.waitFor((event) => event.type === 'ready' && event.member.restarts === 1, since);

    const [final] = await client.waitFor({ taskIds: [taskId!] });
    expect(final).toMatchObject({ state: 'succeeded', attempt: 2 });
    // The relaunched browser's page is a new worker, and the member names it.
    const relaunchedAs = pool.members()[0]!.workerId;
    expect(relaunchedAs).not.toBe(firstAttempt.workerId);
    expect(final!.workerId).toBe(relaunchedAs);
    const [task] = await client.query({ taskIds: [taskId!] });
    // The pool told the coordinator why, so the history names the crash, not a missed heartbeat.
    expect(task!.history[0]).toMatchObject({
      attempt: 1,
      reason: expect.stringMatching(/reported lost: chromium 1\/1: browser disconnected/),
    });
    expect(pool.members().map((m) => [m.status, m.restarts])).toEqual([['ready', 1]]);
  } finally {
    await client.close();
    await pool.stop();
  }
});
