import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import { cleanUpChaosAfterAll, startChaosRun } from '../support/chaos.js';
import {
  kill9,
  processMark,
  startCoordinatorProcess,
  startWorkerProcess,
  waitForMarked,
  waitUntilNoneMarked,
} from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpChaosAfterAll();

const TASKS = 1_000;
const WORKERS = 4;
const ROUNDS = 20;
/** Tasks that end between two kills (at least): the kills spread over most of the run. */
const TASKS_PER_ROUND = 40;

describe('workers killed with SIGKILL, one after another, during a run', () => {
  // 1,000 task processes and 20 worker restarts on two cores: about 110 s with a CPU hog on
  // each core. The limit only catches a hang.
  it('runs every one of 1,000 tasks to success exactly once', async () => {
    const run = await startChaosRun({
      test: 'worker-kills',
      workers: WORKERS,
      tasks: TASKS,
      seconds: 0.2,
    });
    const { cluster, client, subscription, ended } = run;

    const started = performance.now();
    const endedAtKill: number[] = [];
    const expiries: Promise<unknown>[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await ended.waitForCount(round * TASKS_PER_ROUND);
      endedAtKill.push(ended.count);
      const index = Math.floor(run.random() * cluster.workers.length);
      const victim = await cluster.killWorker(index);
      // The coordinator notices the loss while the next rounds go on.
      const expired = cluster.workerExpired(victim.workerId);
      expired.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
      expiries.push(expired);
      await cluster.replaceWorker(index);
    }
    console.log(
      `worker-kills: ${ROUNDS} kills in ${Math.round(performance.now() - started)} ms, ` +
        `at ${endedAtKill.join(', ')} tasks ended`,
    );
    // The coordinator declared every killed worker dead.
    await Promise.all(expiries);

    const { tasks, runs } = await run.expectEveryTaskSucceededOnce();
    // Only killed workers lost attempts.
    const killed = new Set(cluster.killed.map((w) => w.workerId));
    const lostOn = tasks.flatMap((t) => t.history.map((h) => h.workerId));
    expect(lostOn.filter((w) => w === null || !killed.has(w))).toEqual([]);
    console.log(`worker-kills: ${run.describeLostAttempts(tasks, runs)}`);
    await subscription.close();
    await client.close();
  }, 600_000);
});

describe('a worker killed with SIGKILL mid-task', () => {
  it('leaves no process of its tasks and no temp report dir behind', async () => {
    const project = tempDir('dtf-chaos-vitest-');
    symlinkSync(resolve(import.meta.dirname, '../../node_modules'), join(project, 'node_modules'));
    const started = (name: string) => join(project, `${name}.started`);
    for (const name of ['cold', 'warm']) {
      writeFileSync(
        join(project, `${name}.test.ts`),
        `import { writeFileSync } from 'node:fs';
import { test } from 'vitest';
test('waits', async () => {
  writeFileSync(${JSON.stringify(started(name))}, 'started');
  await new Promise((resolve) => setTimeout(resolve, 1_000_000));
}, 2_000_000);`,
      );
    }
    const coordinator = await startCoordinatorProcess(tempDir('dtf-chaos-'));
    const mark = processMark();
    const worker = await startWorkerProcess(coordinator, { slots: 3, env: mark.env });
    const client = await DtfClient.connect({
      urls: [coordinator.wsUrl],
      token: coordinator.adminKey,
    });
    await client.submit([
      // A vitest of its own, whose report dir is named on its command line, and a warm one.
      { kind: 'vitest', payload: { dir: project, files: ['cold.test.ts'], warm: false } },
      { kind: 'vitest', payload: { dir: project, files: ['warm.test.ts'] } },
      // A grandchild that waits for its parent: only the process group takes it down.
      { kind: 'command', payload: { command: 'sleep 1000 & wait', shell: true } },
    ]);
    const running = await waitForMarked(
      mark.entry,
      (processes) =>
        existsSync(started('cold')) &&
        existsSync(started('warm')) &&
        processes.some((p) => p.command === 'sleep 1000'),
      'the vitest tests and the sleep to run',
    );
    const reportFile = running
      .map((p) => p.command.match(/--outputFile(?:\.json)?=(\S+)/)?.[1])
      .find((file) => file !== undefined);
    expect(reportFile, running.map((p) => p.command).join('\n')).toBeDefined();
    const reportDir = dirname(reportFile!);
    expect(existsSync(reportDir)).toBe(true);

    await kill9(worker);
    await waitUntilNoneMarked(mark.entry, running);
    expect(existsSync(reportDir)).toBe(false);
    await client.close();
  });
});
