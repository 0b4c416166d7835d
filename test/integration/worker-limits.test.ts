import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient } from '../../client/index.js';
import type { TaskSpecInput } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  spawnDtf,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import { getJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let coordinator: CoordinatorProcess;
let client: DtfClient;
const workDir = realpathSync(tempDir());

beforeAll(async () => {
  coordinator = await startCoordinatorProcess(tempDir());
  mkdirSync(join(workDir, 'inside'));
  await startWorkerProcess(coordinator, {
    slots: 1,
    // The worker's own secrets, as a deployment would hand them over.
    env: { DTF_TOKEN: coordinator.workerToken, DTF_ADMIN_KEY: coordinator.adminKey },
    extraArgs: ['--allow-command', 'node', '--deny-shell', '--work-dir', workDir],
  });
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

const node = (script: string, cwd?: string): TaskSpecInput => ({
  kind: 'command',
  payload: { command: 'node', args: ['-e', script], ...(cwd === undefined ? {} : { cwd }) },
});

describe('dtf worker --allow-command --deny-shell --work-dir', () => {
  it('runs what it allows where it allows, refuses the rest naming the rule, and hands no secret on', async () => {
    const specs: TaskSpecInput[] = [
      node('console.log(JSON.stringify({ cwd: process.cwd(), env: process.env }))'),
      node('console.log(process.cwd())', 'inside'),
      { kind: 'command', payload: { command: 'touch', args: ['x'] } },
      { kind: 'command', payload: { command: 'node -e 1', shell: true } },
      node('1', '/'),
    ];
    const ids = await client.submit(specs);
    await client.waitFor({ taskIds: ids });
    const results = await Promise.all(
      ids.map((id) =>
        getJson<{ state: string; result: { error?: string; output?: { stdout: string } } }>(
          coordinator.url,
          `/api/results/${id}`,
          coordinator.adminKey,
        ),
      ),
    );
    const [envTask, inside, touch, shell, outside] = results;
    expect(envTask!.state).toBe('succeeded');
    const seen = JSON.parse(envTask!.result.output!.stdout) as { cwd: string; env: object };
    expect(seen.cwd).toBe(workDir);
    expect(JSON.stringify(seen.env)).not.toContain(coordinator.workerToken);
    expect(JSON.stringify(seen.env)).not.toContain(coordinator.adminKey);
    expect(inside!.result.output!.stdout.trim()).toBe(join(workDir, 'inside'));
    expect(touch).toMatchObject({ state: 'unsupported' });
    expect(touch!.result.error).toBe(
      "this worker does not run 'touch': it runs only node (--allow-command)",
    );
    expect(shell).toMatchObject({ state: 'unsupported' });
    expect(shell!.result.error).toContain('(--deny-shell)');
    expect(outside).toMatchObject({ state: 'unsupported' });
    expect(outside!.result.error).toContain("working directory / is outside this worker's");
  });

  it('refuses a --work-dir that does not exist at start, exit 2', async () => {
    const worker = spawnDtf([
      'worker',
      '--coordinator',
      coordinator.wsUrl,
      '--work-dir',
      join(workDir, 'missing'),
    ]);
    expect(await worker.exitWithin(20_000, 'the worker')).toBe(2);
    expect(worker.output()).toContain('--work-dir');
  });
});
