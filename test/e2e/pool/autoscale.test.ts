import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DtfClient } from '../../../client/index.js';
import type { TaskSpecInput } from '../../../protocol/index.js';
import { spawnDtf, startCoordinatorProcess } from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { tempDir } from '../../support/temp-dir.js';

cleanUpAfterAll();

/** A page-test module whose one test takes 250 ms: long enough for a queue to build up. */
const SLOW_MODULE = `export const tests = {
  waits: () => new Promise((resolve) => setTimeout(resolve, 250)),
};
`;
const TASKS = 50;

let server: Server;
let moduleUrl: string;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/javascript',
      'access-control-allow-origin': '*',
    });
    res.end(SLOW_MODULE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  moduleUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.js`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('dtf pool --min 1 --max 3 grows to 3 Chromiums for 50 queued page tests, runs each once, and shrinks back to 1', async () => {
  const coordinator = await startCoordinatorProcess(tempDir());
  const pool = spawnDtf([
    'pool',
    '--coordinator',
    coordinator.url,
    '--token',
    coordinator.workerToken,
    '--min',
    '1',
    '--max',
    '3',
    '--scale-down-after',
    '2s',
  ]);
  await pool.waitFor(/^DTF pool ready: chromium×1 \(autoscaling 1–3\)$/m, 60_000);
  // An empty queue keeps the pool at --min.
  expect(pool.output()).not.toMatch(/scaling chromium/);

  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  try {
    const spec: TaskSpecInput = {
      kind: 'page-test',
      payload: { module: moduleUrl },
      group: 'burst',
      retry: { maxRetries: 0 },
    };
    const ids = await client.submit(Array.from({ length: TASKS }, () => spec));
    await pool.waitFor(/^scaling chromium from 1 to 3: \d+ queued$/m, 30_000);
    await pool.waitFor(/^chromium \+2 ready/m, 60_000);
    const ended = await client.waitFor({ taskIds: ids });
    expect(ended.filter((event) => event.state !== 'succeeded')).toEqual([]);

    // Back to --min once the queue has stayed empty: two idle browsers closed, any two.
    await pool.waitFor(/^scaling chromium from [23] to 1: queue empty for \d+ s$/m, 30_000);
    await pool.waitFor(/^chromium \S+ stopped$[\s\S]*^chromium \S+ stopped$/m, 30_000);

    const tasks = await client.query({ group: 'burst', limit: 1_000 });
    expect(tasks).toHaveLength(TASKS);
    // Not one attempt lost: every task ran once, on the first try.
    expect(tasks.filter((task) => task.attempt !== 1 || task.history.length > 0)).toEqual([]);
    const workers = new Set(tasks.map((task) => task.workerId));
    expect(workers.size).toBe(3);
  } finally {
    await client.close();
  }
  pool.child.kill('SIGTERM');
  expect(await pool.exited).toBe(0);
}, 180_000);
