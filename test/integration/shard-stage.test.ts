import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtfClient, uploadArtifact } from '../../client/index.js';
import {
  type ArtifactRef,
  type AssignMessage,
  PROTOCOL_VERSION,
  type ShardStageOutput,
  STAGE_OUTPUT_HEADERS,
  stageOutputPath,
  type TaskSpecInput,
  type ToWorkerMessage,
} from '../../protocol/index.js';
import { nodeCapabilities } from '../support/fixtures.js';
import {
  chainTasks,
  fetchActivation,
  stageOutputOf,
  twoStageChain,
  wholeOutput,
} from '../support/hand-split-chain.js';
import {
  type CoordinatorProcess,
  startCoordinatorProcess,
  startWorkerProcess,
} from '../support/processes.js';
import {
  agreedLeader,
  clusterCredentials,
  putArtifact,
  startClusterWorkers,
  startRaftCluster,
} from '../support/raft-cluster.js';
import { RawSocket } from '../support/raw-socket.js';
import { errorOf } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

let coordinator: CoordinatorProcess;
let client: DtfClient;
let models: [ArtifactRef, ArtifactRef];
const chain = twoStageChain(5);

beforeAll(async () => {
  // The test's own workers heartbeat from a busy test process: give them a generous allowance.
  coordinator = await startCoordinatorProcess(tempDir(), {
    extraArgs: ['--heartbeat-misses', '25'],
  });
  client = await DtfClient.connect({ urls: [coordinator.wsUrl], token: coordinator.adminKey });
  models = [
    await uploadArtifact(coordinator.url, chain.stages[0], coordinator.adminKey),
    await uploadArtifact(coordinator.url, chain.stages[1], coordinator.adminKey),
  ];
});
afterAll(async () => {
  await client?.close();
});
cleanUpAfterAll();

/** Pins tasks to the workers labelled `role=<role>`. */
const pinned = (specs: TaskSpecInput[], role: string): TaskSpecInput[] =>
  specs.map((spec) => ({ ...spec, requirements: { labels: { role } } }));

describe('a two-stage chain on a Node worker', () => {
  it('runs micro-batches 0..3 as a DAG, outputs inside the results or uploaded; the committed activations equal the whole model on onnxruntime-node', async () => {
    await startWorkerProcess(coordinator, { slots: 2, labels: { role: 'stages' } });
    const microBatches = 4;
    const uploaded = (b: number) => b % 2 === 1;
    const specs = pinned(
      chainTasks(models, { run: 'chain', microBatches, executionProvider: 'cpu', uploaded }),
      'stages',
    );
    const taskIds = await client.submit(specs);
    await client.waitFor({ taskIds });
    const views = await client.query({ taskIds });
    const byRef = new Map(specs.map((spec, i) => [spec.ref, views[i]]));

    const reused: Record<number, boolean[]> = { 0: [], 1: [] };
    for (let b = 0; b < microBatches; b++) {
      const first = stageOutputOf(byRef.get(`s0-b${b}`));
      const second = stageOutputOf(byRef.get(`s1-b${b}`));
      expect(byRef.get(`s1-b${b}`)?.history).toEqual([]);
      expect(first).toMatchObject({ executionProvider: 'cpu', costFlops: 1024 });
      expect(first.runtime).toMatch(/^onnxruntime-node \d+\.\d+/);
      reused[0]!.push(first.timings.sessionReused);
      reused[1]!.push(second.timings.sessionReused);

      // The consumer read what the producer committed, and what it committed is its values.
      const hidden = first.outputs.h!;
      const hiddenBytes = await fetchActivation(
        coordinator.url,
        coordinator.workerToken,
        hidden.artifact,
      );
      expect(hidden.artifact).toBe(`sha256:${sha256(hiddenBytes)}`);
      expect(hidden).toMatchObject({ type: 'float32', dims: [1, 32], bytes: 128 });
      // Bytes that came inside the result are committed, not recorded.
      expect(hidden).not.toHaveProperty('data');
      expect(hidden.summary.data).toEqual(Array.from(hiddenBytes));

      const final = second.outputs.y!;
      const got = await fetchActivation(coordinator.url, coordinator.workerToken, final.artifact);
      expect(got).toEqual(await wholeOutput(chain.whole, b));
    }
    // One session per stage on this worker, created by the first micro-batch to ask for it.
    for (const stage of [0, 1]) {
      expect(reused[stage]!.filter((r) => !r)).toHaveLength(1);
    }
  });
});

const sha256 = (values: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');

/** A coordinator (or cluster) with the chain's models stored, and an admin client of it. */
interface Deployment {
  wsUrl: string;
  workerToken: string;
  client: DtfClient;
  models: readonly [ArtifactRef, ArtifactRef];
}

const single = (): Deployment => ({ ...coordinator, client, models });

/**
 * A worker of the test's own over a bare WebSocket, heartbeating: it takes the shard-stage
 * tasks labelled `role=<workerId>`.
 */
async function rawWorker(workerId: string, at: Deployment = single()) {
  const socket = await RawSocket.open<ToWorkerMessage>(at.wsUrl, at.workerToken);
  const registered = await socket.request({
    v: PROTOCOL_VERSION,
    type: 'register',
    workerId,
    name: workerId,
    capabilities: nodeCapabilities({ taskKinds: ['shard-stage'] }),
    labels: { role: workerId },
    slots: 1,
    inFlight: [],
  });
  if (registered.type !== 'registered' || registered.secret === undefined) {
    throw new Error(`not registered: ${JSON.stringify(registered)}`);
  }
  const beats = setInterval(
    () => socket.send({ v: PROTOCOL_VERSION, type: 'heartbeat' }),
    registered.heartbeatIntervalMs,
  );
  socket.socket.on('close', () => clearInterval(beats));
  return { socket, workerId, secret: registered.secret, at };
}

type RawWorker = Awaited<ReturnType<typeof rawWorker>>;

/** Submits stage 0 of one micro-batch for `worker` and returns its assignment. */
async function assignedStage(worker: RawWorker) {
  const [spec] = chainTasks(worker.at.models, {
    run: worker.workerId,
    microBatches: 1,
    executionProvider: 'cpu',
  });
  await worker.at.client.submit(
    pinned([{ ...spec!, retry: { maxRetries: 2, delayMs: 0 } }], worker.workerId),
  );
  const { tasks } = (await worker.socket.next('assign')) as AssignMessage;
  return tasks[0]!;
}

/** Uploads `body` as output `name` of the attempt, as `as` says, at `url`; no redirect followed. */
function upload(
  lease: { taskId: string; attempt: number; leaseToken: number },
  as: { workerId?: string; secret?: string },
  name: string,
  body: Uint8Array,
  at: { url: string; workerToken: string } = coordinator,
) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${at.workerToken}`,
    [STAGE_OUTPUT_HEADERS.leaseToken]: String(lease.leaseToken),
  };
  if (as.workerId !== undefined) headers[STAGE_OUTPUT_HEADERS.workerId] = as.workerId;
  if (as.secret !== undefined) headers[STAGE_OUTPUT_HEADERS.workerSecret] = as.secret;
  return fetch(`${at.url}${stageOutputPath(lease.taskId, lease.attempt, name)}`, {
    method: 'PUT',
    redirect: 'manual',
    headers,
    body,
  });
}

/** The `result` a worker sends for stage 0 when its output `h` is `bytes` (32 float32 of 0.5). */
function stage0Report(
  lease: { taskId: string; attempt: number; leaseToken: number },
  bytes: Uint8Array,
) {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const output: ShardStageOutput = {
    kind: 'shard-stage',
    executionProvider: 'cpu',
    runtime: 'a test',
    timings: {
      modelFetchMs: 0,
      inputFetchMs: 0,
      sessionCreateMs: 0,
      sessionReused: false,
      runMs: 0,
      uploadMs: 0,
    },
    outputs: {
      h: {
        artifact: `sha256:${hex}`,
        type: 'float32',
        dims: [1, 32],
        bytes: 128,
        summary: { type: 'float32', dims: [1, 32], sha256: hex, min: 0.5, max: 0.5, mean: 0.5 },
      },
    },
  };
  const { taskId, attempt, leaseToken } = lease;
  return {
    v: PROTOCOL_VERSION,
    type: 'result',
    results: [
      { taskId, attempt, leaseToken, result: { status: 'succeeded', durationMs: 1, output } },
    ],
  };
}

describe("uploading a stage's output", () => {
  it('takes only the declared bytes of a declared output, from the worker holding the live lease', async () => {
    const worker = await rawWorker('raw-1');
    const other = await rawWorker('raw-2');
    const first = await assignedStage(worker);
    const hidden = new Uint8Array(128).fill(3);
    const refusals: Array<[Response, number, string]> = [
      [
        await upload(first, worker, 'h', hidden.subarray(1)),
        400,
        "the body is 127 bytes; output 'h' (float32 [1, 32]) is 128 bytes",
      ],
      [
        await upload(first, worker, 'y', hidden),
        404,
        `task ${first.taskId} declares no output 'y' (it declares 'h')`,
      ],
      [
        await upload(first, other, 'h', hidden),
        403,
        `attempt 1 of task ${first.taskId} is leased to worker 'raw-1', not 'raw-2'`,
      ],
      [
        await upload(first, { workerId: 'raw-1' }, 'h', hidden),
        403,
        "worker 'raw-1' has a secret: present the one issued",
      ],
      [
        await upload(first, { ...worker, secret: other.secret }, 'h', hidden),
        403,
        "the secret presented is not the one issued to worker 'raw-1'",
      ],
    ];
    // Handed back: the task is queued again, and this worker gets its second attempt.
    worker.socket.send({
      v: PROTOCOL_VERSION,
      type: 'release',
      leases: [{ taskId: first.taskId, attempt: first.attempt, leaseToken: first.leaseToken }],
      reason: 'handing it back to see the old attempt refused',
    });
    const { tasks } = (await worker.socket.next('assign')) as AssignMessage;
    const second = tasks[0]!;
    expect(second).toMatchObject({ taskId: first.taskId, attempt: 2 });
    refusals.push([
      await upload(first, worker, 'h', hidden),
      409,
      `attempt 1 of task ${first.taskId} is not the live one (the live attempt is attempt 2)`,
    ]);
    for (const [response, status, message] of refusals) {
      expect(response.status, message).toBe(status);
      expect((await errorOf(response)).message).toContain(message);
    }

    // Nothing refused was stored.
    const hex = createHash('sha256').update(hidden).digest('hex');
    const before = await fetch(`${coordinator.url}/api/artifacts/${hex}`, {
      headers: { authorization: `Bearer ${coordinator.workerToken}` },
    });
    expect(before.status).toBe(404);
    const stored = await upload(second, worker, 'h', hidden);
    expect(stored.status).toBe(201);
    expect(await stored.json()).toEqual({ ref: `sha256:${hex}`, size: 128, created: true });
    const refused = await fetch(`${coordinator.url}${stageOutputPath(second.taskId, 2, 'h')}`, {
      method: 'PUT',
      headers: { [STAGE_OUTPUT_HEADERS.workerId]: 'raw-1', [STAGE_OUTPUT_HEADERS.leaseToken]: '1' },
      body: hidden,
    });
    expect(refused.status).toBe(401);
  });

  it('records a success only once its outputs are stored: otherwise the attempt is retried, naming the output', async () => {
    const worker = await rawWorker('raw-3');
    const first = await assignedStage(worker);
    const bytes = new Uint8Array(new Float32Array(32).fill(0.5).buffer);
    const hex = createHash('sha256').update(bytes).digest('hex');
    // Reported before uploading: not committed, so the attempt failed and the task goes again.
    worker.socket.send(stage0Report(first, bytes));
    const { tasks } = (await worker.socket.next('assign')) as AssignMessage;
    const second = tasks[0]!;
    const [afterFirst] = await client.query({ taskIds: [first.taskId] });
    expect(afterFirst!.history[0]!.reason).toBe(
      `the stage's outputs are not committed: output 'h': artifact sha256:${hex} was never uploaded to the coordinator`,
    );

    expect((await upload(second, worker, 'h', bytes)).status).toBe(201);
    worker.socket.send(stage0Report(second, bytes));
    const [final] = await client.waitFor({ taskIds: [first.taskId] });
    expect(final).toMatchObject({ state: 'succeeded', attempt: 2 });
  });
});

describe('a two-stage chain in a 3-member cluster', () => {
  it('commits each activation on a majority of members before its consumer runs; any member takes an upload', async () => {
    const members = await startRaftCluster(3, ['--heartbeat-misses', '25']);
    const keys = await clusterCredentials(members);
    const leader = await agreedLeader(members, keys.adminKey);
    const stored = await Promise.all(
      chain.stages.map(async (bytes) => {
        const put = await putArtifact(leader, keys.adminKey, bytes);
        if (put.body === undefined || 'error' in put.body) {
          throw new Error(`upload refused: ${put.status} ${JSON.stringify(put.body)}`);
        }
        return put.body.ref as ArtifactRef;
      }),
    );
    await startClusterWorkers(members, keys.workerToken, 1, 2);
    const cluster = await DtfClient.connect({
      urls: members.map((m) => m.wsUrl),
      token: keys.adminKey,
    });
    try {
      const specs = chainTasks([stored[0]!, stored[1]!], {
        run: 'cluster-chain',
        microBatches: 2,
        executionProvider: 'cpu',
      });
      const taskIds = await cluster.submit(specs);
      await cluster.waitFor({ taskIds });
      const views = await cluster.query({ taskIds });
      for (const [i, view] of views.entries()) {
        for (const { artifact } of Object.values(stageOutputOf(view).outputs)) {
          const hex = artifact.slice('sha256:'.length);
          const holders = members.filter((m) => existsSync(join(m.dataDir, 'artifacts', hex)));
          expect(holders.length, `${specs[i]!.ref}: ${artifact}`).toBeGreaterThanOrEqual(2);
        }
      }
      const last = stageOutputOf(views.at(-1)).outputs.y!;
      const got = await fetchActivation(leader.url, keys.workerToken, last.artifact);
      expect(got).toEqual(await wholeOutput(chain.whole, 1));

      // A worker page uploads to the member that served it, which need not lead.
      const at: Deployment = {
        wsUrl: leader.wsUrl,
        workerToken: keys.workerToken,
        client: cluster,
        models: [stored[0]!, stored[1]!],
      };
      const worker = await rawWorker('raw-cluster', at);
      const lease = await assignedStage(worker);
      const follower = members.find((m) => m !== leader)!;
      const bytes = new Uint8Array(new Float32Array(32).fill(0.5).buffer);
      const put = await upload(lease, worker, 'h', bytes, { url: follower.url, ...at });
      expect(put.status).toBe(201);
      worker.socket.send(stage0Report(lease, bytes));
      const [final] = await cluster.waitFor({ taskIds: [lease.taskId] });
      expect(final).toMatchObject({ state: 'succeeded', attempt: 1 });
      worker.socket.close();
    } finally {
      await cluster.close();
    }
  });
});
