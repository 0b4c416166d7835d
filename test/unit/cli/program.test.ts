import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../cli/program.js';
import { reportFailure } from '../../../cli/report-failure.js';
import type { TaskEvent } from '../../../protocol/index.js';
import { taskView } from '../../support/fixtures.js';
import { type FakeCoordinator, reply, startFakeCoordinator } from '../client/fake-coordinator.js';

/** Runs `dtf ...args` in-process and returns its exit status and output. */
async function dtf(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  let status: number;
  try {
    await buildProgram().parseAsync(['node', 'dtf', ...args]);
    status = Number(process.exitCode ?? 0);
  } catch (error) {
    status = reportFailure(error, false);
  } finally {
    vi.restoreAllMocks();
  }
  return { status, stdout, stderr };
}

describe('dtf', () => {
  let fake: FakeCoordinator | undefined;
  beforeEach(() => {
    process.exitCode = undefined;
  });
  afterEach(async () => {
    process.exitCode = undefined;
    await fake?.close();
    fake = undefined;
  });

  it('submit --wait --json follows the submitted tasks and exits 1 when one failed', async () => {
    fake = await startFakeCoordinator((request, socket) => {
      if (request.type === 'submit') {
        reply(socket, { type: 'submitted', id: request.id, taskIds: ['t1', 't2'] });
      } else if (request.type === 'subscribe') {
        const final: TaskEvent[] = [
          { taskId: 't1', state: 'succeeded', attempt: 1, at: 2 },
          { taskId: 't2', state: 'failed', attempt: 1, at: 2, reason: 'exit code 3' },
        ];
        reply(socket, { type: 'subscribed', id: request.id, subscription: 's', snapshot: final });
      } else {
        reply(socket, { type: 'unsubscribed', id: request.id });
      }
    });
    const result = await dtf(
      'submit',
      '--command',
      'exit $((RANDOM % 4))',
      '--count',
      '2',
      '--label',
      'os=linux',
      '--group',
      'g1',
      '--wait',
      '--json',
      '--coordinator',
      fake.url.replace('ws://', 'http://').replace('/ws', ''),
    );
    expect(result.status).toBe(1);
    const submitted = fake.received[0]?.tasks as Record<string, unknown>[];
    expect(submitted).toHaveLength(2);
    expect(submitted[0]).toMatchObject({
      group: 'g1',
      payload: { command: 'exit $((RANDOM % 4))', shell: true },
      requirements: { labels: { os: 'linux' } },
    });
    expect(fake.received[1]).toMatchObject({ type: 'subscribe', taskIds: ['t1', 't2'] });
    expect(JSON.parse(result.stdout)).toMatchObject({
      group: 'g1',
      taskIds: ['t1', 't2'],
      events: [
        { taskId: 't1', state: 'succeeded' },
        { taskId: 't2', state: 'failed' },
      ],
    });
  });

  it('tasks lists the tasks by worker id, with a note, when the workers cannot be read', async () => {
    // The fake answers only /ws: its GET /api/workers is refused (426).
    fake = await startFakeCoordinator((request, socket) => {
      reply(socket, { type: 'tasks', id: request.id, tasks: [taskView({ workerId: 'w-7f3a' })] });
    });
    const result = await dtf('tasks', '--coordinator', fake.url);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^t1\s+command\s+succeeded\s+2\s+1\s+w-7f3a\s+1\.5s$/m);
    expect(result.stderr).toMatch(/^\(worker names unavailable, showing ids: .*426.*\)\n$/);
  });

  it('exits 2 with a clear message when submit has nothing to submit', async () => {
    const result = await dtf('submit');
    expect(result).toMatchObject({
      status: 2,
      stderr: 'dtf: give a tasks file or --command "..."\n',
    });
  });

  it('exits 2 on a bad option value, naming the option', async () => {
    const result = await dtf('tasks', '--state', 'bogus');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^dtf: option '--state <state>' argument 'bogus' is invalid/);
  });

  it('exits 1 with the reason when the coordinator cannot be reached', async () => {
    const result = await dtf('tasks', '--coordinator', 'ws://127.0.0.1:1/ws');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^dtf: could not connect to any coordinator \(tried: ws:\/\/127\.0\.0\.1:1\/ws: /,
    );
  });

  it('coordinator refuses a cluster given by halves, naming what is missing', async () => {
    const peers = 'c1=http://127.0.0.1:1,c2=http://127.0.0.1:2,c3=http://127.0.0.1:3';
    const saved = process.env.DTF_CLUSTER_TOKEN;
    delete process.env.DTF_CLUSTER_TOKEN;
    try {
      const noPeers = await dtf('coordinator', '--id', 'c1');
      expect(noPeers.status).toBe(2);
      expect(noPeers.stderr).toContain('needs both --id and --peers');
      const stranger = await dtf('coordinator', '--id', 'c9', '--peers', peers);
      expect(stranger.stderr).toContain('--id c9 is not one of --peers (c1, c2, c3)');
      const noSecret = await dtf('coordinator', '--id', 'c1', '--peers', peers);
      expect(noSecret.stderr).toContain('--cluster-token or DTF_CLUSTER_TOKEN');
      const raftAlone = await dtf('coordinator', '--raft-tick-ms', '20');
      expect(raftAlone.status).toBe(2);
      expect(raftAlone.stderr).toContain(
        '--raft-tick-ms and --raft-election-ticks need cluster mode',
      );
      const oneTick = await dtf(
        'coordinator',
        '--id',
        'c1',
        '--peers',
        peers,
        '--raft-election-ticks',
        '1',
      );
      expect(oneTick.status).toBe(2);
      expect(oneTick.stderr).toContain("'--raft-election-ticks <n>' argument '1' is invalid");
    } finally {
      if (saved !== undefined) process.env.DTF_CLUSTER_TOKEN = saved;
    }
  });

  it('schema prints the protocol JSON Schema', async () => {
    const result = await dtf('schema');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'DTF protocol v1' });
  });
});
