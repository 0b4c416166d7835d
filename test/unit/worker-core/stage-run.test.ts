import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Assignment,
  type ShardStageAssignmentPayload,
  type TaskResult,
} from '../../../protocol/index.js';
import type { TensorData } from '../../../tensors/index.js';
import { runStage, SessionCache, type StageRuntime } from '../../../worker-core/index.js';

type Feed = { data: TensorData; dims: readonly number[] };
type Produced = Record<string, { type: string; dims: readonly number[]; data: unknown }>;
type Session = { run(feeds: Record<string, Feed>): Promise<Produced>; release(): Promise<void> };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const input = new Float32Array([1, 2, 3, 4]);
const inputBytes = new Uint8Array(input.buffer);
const INPUT_REF = `sha256:${sha256(inputBytes)}`;

/** A runtime whose one stage doubles its input `h` into `y`, counting uploads and fetches. */
function doublingRuntime() {
  const calls = { uploads: 0, fetches: 0 };
  const runtime: StageRuntime<Feed, Session> = {
    runtime: 'test',
    tensor: (_type, data, dims) => ({ data, dims }),
    sessions: new SessionCache<Session>(),
    createSession: async () => ({
      run: async ({ h }) => ({
        y: { type: 'float32', dims: [1, 4], data: (h!.data as Float32Array).map((v) => v * 2) },
      }),
      release: async () => {},
    }),
    createFailure: () => 'failed',
    fetchModel: async () => new Uint8Array([1]),
    fetchActivation: async () => {
      calls.fetches++;
      return inputBytes;
    },
    upload: async (_assignment, _name, bytes) => {
      calls.uploads++;
      return `sha256:${sha256(bytes)}`;
    },
    sha256,
  };
  return { runtime, calls };
}

function stage(data: string | undefined, maxInlineBytes?: number) {
  const payload: Record<string, unknown> = {
    run: 'r',
    stage: 1,
    microBatch: 0,
    model: `sha256:${'a'.repeat(64)}`,
    executionProvider: 'cpu',
    inputs: {
      h: {
        from: 'artifact',
        artifact: INPUT_REF,
        type: 'float32',
        dims: [1, 4],
        ...(data === undefined ? {} : { data }),
      },
    },
    outputs: [{ name: 'y', type: 'float32', dims: [1, 4] }],
    ...(maxInlineBytes === undefined ? {} : { maxInlineBytes }),
  };
  const assignment = Assignment.parse({
    kind: 'shard-stage',
    taskId: 't',
    attempt: 1,
    leaseToken: 1,
    timeoutMs: 1_000,
    payload: payload as ShardStageAssignmentPayload,
  });
  if (assignment.kind !== 'shard-stage') throw new Error('not a stage');
  return assignment;
}

const outputY = (result: TaskResult) =>
  result.output?.kind === 'shard-stage' ? result.output.outputs.y : undefined;

describe('runStage', () => {
  it('takes an input the assignment carries without fetching it, and puts small outputs in the result', async () => {
    const { runtime, calls } = doublingRuntime();
    const result = await runStage(
      runtime,
      stage(Buffer.from(inputBytes).toString('base64')),
      new AbortController().signal,
    );
    expect(result.status).toBe('succeeded');
    const doubled = new Uint8Array(new Float32Array([2, 4, 6, 8]).buffer);
    expect(outputY(result)).toMatchObject({
      artifact: `sha256:${sha256(doubled)}`,
      data: Buffer.from(doubled).toString('base64'),
    });
    expect(calls).toEqual({ uploads: 0, fetches: 0 });
  });

  it('fetches an input it was not given, and uploads outputs past maxInlineBytes', async () => {
    const { runtime, calls } = doublingRuntime();
    const result = await runStage(runtime, stage(undefined, 0), new AbortController().signal);
    expect(result.status).toBe('succeeded');
    expect(outputY(result)).not.toHaveProperty('data');
    expect(calls).toEqual({ uploads: 1, fetches: 1 });
  });

  it.each([
    ['bytes of another activation', Buffer.from([9, 9, 9, 9]).toString('base64'), /hashing to/],
    ['text that decodes to nothing', 'A', /came inline as no base64/],
  ])(
    'fails an inline input of %s as an infrastructure failure, retried',
    async (_, data, error) => {
      const { runtime } = doublingRuntime();
      const result = await runStage(runtime, stage(data), new AbortController().signal);
      expect(result).toMatchObject({ status: 'failed', failureKind: 'infrastructure' });
      expect(result.error).toMatch(error);
    },
  );
});
