import { expect, it } from 'vitest';
import {
  reservePort,
  spawnDtf,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

it.each([
  ['a wrong token', ['--token', 'dtf_worker_wrong'], /rejected the worker token \(HTTP 401\)/],
  ['no token', [], /requires a worker token \(HTTP 401\) and none was given/],
])(
  'dtf worker with %s says the token was refused and exits 1, without retrying',
  async (_case, tokenArgs, problem) => {
    const coordinator = await startCoordinatorProcess(tempDir());
    const worker = spawnDtf(['worker', '--coordinator', coordinator.wsUrl, ...tokenArgs], {
      DTF_TOKEN: '',
    });
    const [line] = await worker.waitFor(new RegExp(`^dtf: .*${problem.source}.*$`, 'm'), 20_000);
    expect(line).toContain(coordinator.wsUrl);
    expect(await worker.exited).toBe(1);
    expect(worker.output()).not.toMatch(/no coordinator reachable/);
    expect(worker.output()).not.toMatch(/registered/);
  },
);

it('dtf worker keeps trying a coordinator it cannot reach, and registers once it is there', async () => {
  const port = await reservePort();
  const dataDir = tempDir();
  // Nothing listens yet: an outage, not a refusal.
  const worker = spawnDtf(['worker', '--coordinator', `ws://127.0.0.1:${port}/ws`, '--token', 'x']);
  await worker.waitFor(/no coordinator reachable; retrying/);
  const coordinator = await startCoordinatorProcess(dataDir, { port });
  // The token is wrong for this coordinator: now it is refused, and final.
  await worker.waitFor(/^dtf: .*rejected the worker token/m, 20_000);
  expect(await worker.exited).toBe(1);
  // With the right one the same kind of start registers.
  await startWorkerProcess(coordinator, { slots: 1 });
});
