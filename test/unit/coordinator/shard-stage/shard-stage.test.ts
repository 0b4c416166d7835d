import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { workerSecretSha256 } from '../../../../coordinator/auth/index.js';
import {
  type StoredSize,
  withCommittedOutputs,
} from '../../../../coordinator/shard-stage/committed-outputs.js';
import { commitInlineOutputs } from '../../../../coordinator/shard-stage/inline-outputs.js';
import { RecentActivations } from '../../../../coordinator/shard-stage/recent-activations.js';
import { stageSubmitProblem } from '../../../../coordinator/shard-stage/submit-checks.js';
import {
  type StageUploadRequest,
  stageUploadTarget,
} from '../../../../coordinator/shard-stage/upload-target.js';
import { ArtifactStore } from '../../../../coordinator/store/index.js';
import { resolveDependencies } from '../../../../coordinator/submit-dependencies.js';
import { assignmentFor } from '../../../../coordinator/ws/worker-connections.js';
import {
  Assignment,
  type ShardStageOutput,
  type TaskResult,
  TaskSpec,
  type TaskSpecInput,
} from '../../../../protocol/index.js';
import {
  commandSpec,
  Harness,
  nodeCapabilities,
  registerCommand,
} from '../../../support/fixtures.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterAll(removeTempDirs);

const MODEL = `sha256:${'a'.repeat(64)}`;
const H_SHA = 'b'.repeat(64);
const H_REF = `sha256:${H_SHA}`;
const H_BYTES = 4 * 32;

type StageSpecInput = Extract<TaskSpecInput, { kind: 'shard-stage' }>;

const stage0: StageSpecInput = {
  kind: 'shard-stage',
  ref: 's0',
  payload: {
    run: 'r',
    stage: 0,
    microBatch: 0,
    model: MODEL,
    executionProvider: 'cpu',
    inputs: { x: { from: 'value', tensor: { dims: [1, 4], seed: 1 } } },
    outputs: [{ name: 'h', type: 'float32', dims: [1, 32] }],
  },
};
const stage1: StageSpecInput = {
  kind: 'shard-stage',
  ref: 's1',
  dependsOn: ['s0'],
  payload: {
    run: 'r',
    stage: 1,
    microBatch: 0,
    model: MODEL,
    executionProvider: 'cpu',
    inputs: {
      h: { from: 'dependency', dependency: 0, output: 'h' },
      scale: { from: 'value', tensor: { dims: [1], data: [2] } },
    },
    outputs: [{ name: 'y', type: 'float32', dims: [1, 8] }],
  },
};

/** A succeeded stage 0 result whose output `h` is the artifact `ref`. */
function stage0Result(ref = H_REF, sha256 = H_SHA): TaskResult {
  const output: ShardStageOutput = {
    kind: 'shard-stage',
    executionProvider: 'cpu',
    runtime: 'onnxruntime-node 1.30.0',
    timings: {
      modelFetchMs: 1,
      inputFetchMs: 0,
      sessionCreateMs: 2,
      sessionReused: false,
      runMs: 1,
      uploadMs: 1,
    },
    outputs: {
      h: {
        artifact: ref,
        type: 'float32',
        dims: [1, 32],
        bytes: H_BYTES,
        summary: { type: 'float32', dims: [1, 32], sha256, min: 0, max: 1, mean: 0.5 },
      },
    },
  };
  return { status: 'succeeded', durationMs: 5, output };
}

/** Submits specs as the coordinator's edge does: refs resolved to task ids first. */
function submitStages(h: Harness, specs: TaskSpecInput[]): string[] {
  const tasks = specs.map((spec, i) => ({ id: `g${i}`, spec: TaskSpec.parse(spec) }));
  const resolved = resolveDependencies(tasks, (id) => h.state.tasks.has(id));
  if ('error' in resolved) throw new Error(resolved.error.message);
  h.run({ type: 'SubmitTasks', now: h.now, tasks: resolved.tasks });
  return tasks.map((t) => t.id);
}

function stageHarness(): Harness {
  const h = new Harness();
  h.run({
    ...registerCommand('w', {
      slots: 2,
      capabilities: nodeCapabilities({ taskKinds: ['command', 'model', 'shard-stage'] }),
    }),
    newSecretSha256: workerSecretSha256('secret-of-w'),
  });
  return h;
}

describe('shard-stage assignments', () => {
  it('give the consumer the artifact its dependency committed, once that dependency succeeded', () => {
    const h = stageHarness();
    const [first, second] = submitStages(h, [stage0, stage1]);
    expect(h.assign().map((p) => p.taskId)).toEqual([first]);
    h.report(first!, stage0Result());
    expect(h.assign().map((p) => p.taskId)).toEqual([second]);

    const assignment = assignmentFor(h.task(second!), h.state.tasks);
    expect(Assignment.parse(assignment)).toEqual(assignment);
    expect(assignment).toMatchObject({
      kind: 'shard-stage',
      taskId: second,
      payload: {
        inputs: {
          h: { from: 'artifact', artifact: H_REF, type: 'float32', dims: [1, 32] },
          scale: { from: 'value', tensor: { dims: [1], data: [2] } },
        },
      },
    });
  });

  it('name the missing commit instead of sending an input nobody committed', () => {
    const h = stageHarness();
    const [first, second] = submitStages(h, [stage0, stage1]);
    expect(assignmentFor(h.task(second!), h.state.tasks)).toEqual({
      problem: `input 'h': task ${first} has committed no output 'h'`,
    });
  });
});

describe('recording a shard-stage result', () => {
  const stored: StoredSize = (ref) => (ref === H_REF ? H_BYTES : undefined);

  function leasedStage0() {
    const h = stageHarness();
    const [first] = submitStages(h, [stage0, stage1]);
    h.assign();
    return { h, taskId: first!, lease: h.lease(first!) };
  }

  it('keeps a result whose every declared output the coordinator holds', () => {
    const { h, lease } = leasedStage0();
    const reports = [{ ...lease, result: stage0Result() }];
    expect(withCommittedOutputs(h.state, 'w', reports, stored)).toEqual(reports);
  });

  it.each([
    [
      'an output never uploaded',
      stage0Result(`sha256:${'c'.repeat(64)}`, 'c'.repeat(64)),
      `output 'h': artifact sha256:${'c'.repeat(64)} was never uploaded to the coordinator`,
    ],
    [
      'no outputs at all',
      { status: 'succeeded', durationMs: 5 },
      'the result carries no shard-stage output',
    ],
    [
      'an output missing',
      (() => {
        const result = stage0Result();
        if (result.output?.kind === 'shard-stage') result.output.outputs = {};
        return result;
      })(),
      "output 'h' is missing",
    ],
    [
      'an artifact that is not the hash of the values',
      stage0Result(H_REF, 'd'.repeat(64)),
      `output 'h': artifact ${H_REF} is not the sha256 of its values (${'d'.repeat(64)})`,
    ],
  ] as Array<[string, TaskResult, string]>)(
    'turns one with %s into an infrastructure failure that is retried',
    (_, result, problem) => {
      const { h, taskId, lease } = leasedStage0();
      const [report] = withCommittedOutputs(h.state, 'w', [{ ...lease, result }], stored);
      expect(report!.result).toEqual({
        status: 'failed',
        failureKind: 'infrastructure',
        durationMs: 5,
        error: `the stage's outputs are not committed: ${problem}`,
      });
      h.run({ type: 'RecordResults', now: h.now, workerId: 'w', reports: [report!] });
      expect(h.task(taskId)).toMatchObject({ state: 'queued', failures: 1 });
      expect(h.task(taskId).history.at(-1)?.reason).toContain(problem);
      expect(h.task(taskId).result).toBeUndefined();
    },
  );

  it('leaves alone what is not a live shard-stage success: it is not recorded as such anyway', () => {
    const { h, lease } = leasedStage0();
    const missing = stage0Result(`sha256:${'c'.repeat(64)}`, 'c'.repeat(64));
    const stale = [{ ...lease, attempt: 2, result: missing }];
    expect(withCommittedOutputs(h.state, 'w', stale, stored)).toEqual(stale);
    const failed = [{ ...lease, result: { status: 'failed', durationMs: 1 } as TaskResult }];
    expect(withCommittedOutputs(h.state, 'w', failed, stored)).toEqual(failed);
  });
});

describe('submitting shard-stage tasks', () => {
  const artifacts = { file: () => ({ path: '', size: 64 }), maxBytes: 1_000 };
  const problem = (specs: TaskSpecInput[], stored = new Harness().state.tasks) => {
    const tasks = specs.map((spec, i) => ({ id: `g${i}`, spec: TaskSpec.parse(spec) }));
    const resolved = resolveDependencies(tasks, (id) => stored.has(id));
    if ('error' in resolved) throw new Error(resolved.error.message);
    return stageSubmitProblem(resolved.tasks, stored, artifacts)?.message;
  };

  it('accepts a consumer of an output its dependency declares', () => {
    expect(problem([stage0, stage1])).toBeUndefined();
  });

  it('refuses a dependency that is no shard-stage task, or does not declare the output', () => {
    expect(problem([{ ...commandSpec(), ref: 's0' }, stage1])).toBe(
      'tasks[1].payload.inputs.h: dependsOn[0] is a command task, not a shard-stage task whose outputs it could read',
    );
    const other: StageSpecInput = {
      ...stage1,
      payload: {
        ...stage1.payload,
        inputs: { h: { from: 'dependency', dependency: 0, output: 'z' } },
      },
    };
    expect(problem([stage0, other])).toBe(
      "tasks[1].payload.inputs.h: dependsOn[0] declares no output 'z' (its outputs: h)",
    );
  });

  it('refuses an artifact input of the wrong size, and an output the store cannot take', () => {
    const fromArtifact: StageSpecInput = {
      ...stage0,
      payload: {
        ...stage0.payload,
        inputs: { x: { from: 'artifact', artifact: H_REF, type: 'float32', dims: [1, 4] } },
      },
    };
    expect(problem([fromArtifact])).toBe(
      `tasks[0].payload.inputs.x: artifact ${H_REF} is 64 bytes, a float32 [1, 4] activation is 16`,
    );
    const huge: StageSpecInput = {
      ...stage0,
      payload: { ...stage0.payload, outputs: [{ name: 'h', type: 'int64', dims: [1, 200] }] },
    };
    expect(problem([huge])).toBe(
      "tasks[0].payload.outputs[0]: 'h' (int64 [1, 200]) is 1600 bytes, over the artifact store's limit of 1000 bytes",
    );
  });
});

describe('uploading a stage output', () => {
  function leased() {
    const h = stageHarness();
    const [first] = submitStages(h, [stage0, stage1]);
    h.run(registerCommand('other', { capabilities: nodeCapabilities() }));
    h.assign();
    const lease = h.lease(first!);
    const request: StageUploadRequest = {
      taskId: lease.taskId,
      attempt: String(lease.attempt),
      name: 'h',
      workerId: 'w',
      secret: 'secret-of-w',
      leaseToken: String(lease.leaseToken),
      contentLength: String(H_BYTES),
      role: 'worker',
    };
    return { h, request };
  }

  it('takes the declared bytes of a declared output of the live lease, from its worker', () => {
    const { h, request } = leased();
    expect(stageUploadTarget(h.state, request)).toEqual({ bytes: H_BYTES });
  });

  it.each([
    [
      { workerId: undefined },
      'invalid_message',
      'name the uploading worker in the x-dtf-worker-id header',
    ],
    [{ secret: undefined }, 'forbidden', "worker 'w' has a secret: present the one issued"],
    [{ secret: 'guess' }, 'forbidden', "the secret presented is not the one issued to worker 'w'"],
    [
      { workerId: 'other', secret: undefined, role: 'admin' },
      'forbidden',
      "is leased to worker 'w', not 'other'",
    ],
    [
      { attempt: '2' },
      'conflict',
      'attempt 2 of task g0 is not the live one (the live attempt is attempt 1)',
    ],
    [{ leaseToken: '99' }, 'forbidden', 'lease token 99 is not the lease of attempt 1 of task g0'],
    [{ name: 'y' }, 'not_found', "task g0 declares no output 'y' (it declares 'h')"],
    [
      { contentLength: '129' },
      'invalid_message',
      "the body is 129 bytes; output 'h' (float32 [1, 32]) is 128 bytes",
    ],
    [{ contentLength: undefined }, 'invalid_message', 'send a Content-Length header'],
    [{ taskId: 'nope' }, 'not_found', "no task 'nope'"],
  ] as Array<[Partial<StageUploadRequest>, string, string]>)(
    'refuses %o (%s), naming why',
    (change, code, message) => {
      const { h, request } = leased();
      const target = stageUploadTarget(h.state, { ...request, ...change });
      expect(target).toMatchObject({ error: { code } });
      expect('error' in target && target.error.message).toContain(message);
    },
  );

  it('refuses an attempt that ended, and a task of another kind', () => {
    const { h, request } = leased();
    h.report(request.taskId, stage0Result());
    expect(stageUploadTarget(h.state, request)).toEqual({
      error: { code: 'conflict', message: 'task g0 already succeeded: it takes no more outputs' },
    });
    const [command] = h.submit(commandSpec());
    expect(stageUploadTarget(h.state, { ...request, taskId: command! })).toMatchObject({
      error: {
        code: 'invalid_message',
        message: `task ${command} is a command task: only shard-stage tasks have outputs to commit`,
      },
    });
  });
});

describe('a shard-stage task whose dependencies are one task submitted twice under one idempotency key', () => {
  it('keeps each dependsOn position, so every input still names its parent', () => {
    const h = stageHarness();
    const keyed = { ...stage0, idempotencyKey: 'stage-0' };
    const [first] = submitStages(h, [keyed]);
    const consumer: StageSpecInput = {
      ...stage1,
      dependsOn: [first!, 's0'],
      payload: {
        ...stage1.payload,
        inputs: {
          h: { from: 'dependency', dependency: 0, output: 'h' },
          again: { from: 'dependency', dependency: 1, output: 'h' },
        },
      },
    };
    const tasks = [keyed, consumer].map((spec, i) => ({ id: `n${i}`, spec: TaskSpec.parse(spec) }));
    const resolved = resolveDependencies(tasks, (id) => h.state.tasks.has(id));
    if ('error' in resolved) throw new Error(resolved.error.message);
    h.run({ type: 'SubmitTasks', now: h.now, tasks: resolved.tasks });
    expect(h.task('n1').spec.dependsOn).toEqual([first, first]);
    h.assign();
    h.report(first!, stage0Result());
    expect(h.assign().map((p) => p.taskId)).toEqual(['n1']);
    expect(assignmentFor(h.task('n1'), h.state.tasks)).toMatchObject({
      payload: {
        inputs: {
          h: { from: 'artifact', artifact: H_REF },
          again: { from: 'artifact', artifact: H_REF },
        },
      },
    });
  });
});

describe('activations carried inside the messages', () => {
  const bytes = new Uint8Array(new Float32Array(32).map((_, i) => i / 4).buffer);
  const hex = createHash('sha256').update(bytes).digest('hex');
  const ref = `sha256:${hex}`;

  /** Stage 0's result with `h`'s bytes inside it, as a worker sends it. */
  function carrying(data: Uint8Array, claimed = hex): TaskResult {
    const result = stage0Result(`sha256:${claimed}`, claimed);
    if (result.output?.kind === 'shard-stage') {
      result.output.outputs.h!.data = Buffer.from(data).toString('base64');
    }
    return result;
  }

  function edge() {
    const h = stageHarness();
    const [first, second] = submitStages(h, [stage0, stage1]);
    h.assign();
    const ctx = {
      state: h.state,
      artifacts: new ArtifactStore(tempDir(), 1024 * 1024),
      artifactReplicas: undefined,
      recentActivations: new RecentActivations(),
    };
    return { h, ctx, first: first!, second: second! };
  }

  it('are committed under their hash before the result is recorded, which then carries no bytes', async () => {
    const { h, ctx, first, second } = edge();
    const report = await commitInlineOutputs(ctx, 'w', {
      ...h.lease(first),
      result: carrying(bytes),
    });
    expect(ctx.artifacts.file(hex)?.size).toBe(bytes.byteLength);
    expect(report.result).toEqual(stage0Result(ref, hex));
    const stored: StoredSize = (r) => (r === ref ? bytes.byteLength : undefined);
    expect(withCommittedOutputs(h.state, 'w', [report], stored)).toEqual([report]);

    // The consumer's assignment carries them, and still parses as an assignment.
    h.run({ type: 'RecordResults', now: h.now, workerId: 'w', reports: [report] });
    h.assign();
    const assignment = assignmentFor(h.task(second), h.state.tasks, ctx.recentActivations);
    expect(Assignment.parse(assignment)).toEqual(assignment);
    expect(assignment).toMatchObject({
      payload: {
        inputs: {
          h: { from: 'artifact', artifact: ref, data: Buffer.from(bytes).toString('base64') },
        },
      },
    });
    // Without them at hand, the worker is sent the ref to fetch.
    const fetched = assignmentFor(h.task(second), h.state.tasks, new RecentActivations());
    expect(fetched).toMatchObject({
      payload: { inputs: { h: { from: 'artifact', artifact: ref } } },
    });
    expect(fetched).not.toHaveProperty('payload.inputs.h.data');
  });

  it.each([
    [
      'bytes of another size',
      () => carrying(bytes.subarray(0, 64)),
      "output 'h' came as 64 bytes; a float32 [1, 32] activation is 128",
    ],
    [
      'bytes that do not hash to the artifact named',
      () => carrying(bytes, 'e'.repeat(64)),
      `the bytes received hash to ${ref}, not sha256:${'e'.repeat(64)}`,
    ],
  ] as Array<[string, () => TaskResult, string]>)(
    'turn a result with %s into an infrastructure failure, storing nothing',
    async (_, result, problem) => {
      const { h, ctx, first } = edge();
      const report = await commitInlineOutputs(ctx, 'w', { ...h.lease(first), result: result() });
      expect(report.result).toEqual({
        status: 'failed',
        failureKind: 'infrastructure',
        durationMs: 5,
        error: `the stage's outputs are not committed: ${problem}`,
      });
      expect(ctx.artifacts.file(hex)).toBeUndefined();
      expect(ctx.recentActivations.get(hex)).toBeUndefined();
    },
  );

  it("store nothing for a worker that does not hold the attempt's live lease, and are never recorded", async () => {
    const { h, ctx, first } = edge();
    const lease = h.lease(first);
    for (const [workerId, at] of [
      ['intruder', lease],
      ['w', { ...lease, leaseToken: lease.leaseToken + 1 }],
      ['w', { ...lease, attempt: 2 }],
    ] as const) {
      const report = await commitInlineOutputs(ctx, workerId, { ...at, result: carrying(bytes) });
      expect(report.result).toEqual(stage0Result(ref, hex));
    }
    expect(ctx.artifacts.file(hex)).toBeUndefined();
  });
});
