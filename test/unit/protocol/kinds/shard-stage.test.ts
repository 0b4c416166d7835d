import { describe, expect, it } from 'vitest';
import {
  Assignment,
  describeIssues,
  MAX_INLINE_ACTIVATION_BYTES,
  MAX_STAGE_TENSORS,
  TaskSpec,
  type TaskSpecInput,
} from '../../../../protocol/index.js';

const MODEL = `sha256:${'a'.repeat(64)}`;

function stageSpec(
  payload: Record<string, unknown> = {},
  spec: Partial<TaskSpecInput> = {},
): Record<string, unknown> {
  return {
    kind: 'shard-stage',
    ...spec,
    payload: {
      run: 'run-1',
      stage: 1,
      microBatch: 0,
      model: MODEL,
      executionProvider: 'wasm',
      inputs: { h: { from: 'dependency', dependency: 0, output: 'h' } },
      outputs: [{ name: 'y', type: 'float32', dims: [1, 8] }],
      ...payload,
    },
  };
}

/** What a submit of `spec` is refused with, or undefined when it is accepted. */
function refusal(spec: unknown): string | undefined {
  const parsed = TaskSpec.safeParse(spec);
  return parsed.success ? undefined : describeIssues(parsed.error, spec);
}

describe('shard-stage task specs', () => {
  it('accepts a stage whose inputs are a value, a dependency and a committed artifact', () => {
    const spec = stageSpec(
      {
        inputs: {
          x: { from: 'value', tensor: { dims: [1, 4], seed: 3 } },
          h: { from: 'dependency', dependency: 1, output: 'h' },
          c: { from: 'artifact', artifact: MODEL, type: 'int64', dims: [2] },
        },
        costFlops: 1e9,
      },
      { dependsOn: ['other', 'stage-0'] },
    );
    const parsed = TaskSpec.parse(spec);
    expect(parsed.kind === 'shard-stage' && parsed.payload).toMatchObject({
      webnnDeviceType: 'cpu',
      maxOutputElements: 65_536,
      costFlops: 1e9,
    });
  });

  it('refuses a dependency index past the end of dependsOn, naming the input and the count', () => {
    expect(refusal(stageSpec({}, {}))).toBe(
      "payload.inputs.h.dependency: input 'h' reads dependsOn[0], but dependsOn has 0 entries",
    );
    expect(
      refusal(
        stageSpec(
          { inputs: { h: { from: 'dependency', dependency: 1, output: 'h' } } },
          { dependsOn: ['s0'] },
        ),
      ),
    ).toBe("payload.inputs.h.dependency: input 'h' reads dependsOn[1], but dependsOn has 1 entry");
    expect(refusal(stageSpec({}, { dependsOn: ['s0'] }))).toBeUndefined();
  });

  it('refuses a dependsOn naming one task twice, which would move the indexes', () => {
    expect(refusal(stageSpec({}, { dependsOn: ['s0', 's0'] }))).toContain(
      "dependsOn[1]: 's0' is also dependsOn[0]",
    );
  });

  it('refuses what is out of bounds, naming the field', () => {
    const withDeps = (payload: Record<string, unknown>) =>
      refusal(stageSpec(payload, { dependsOn: ['s0'] }));
    expect(withDeps({ run: 'r'.repeat(129) })).toMatch(/^payload\.run: /);
    expect(withDeps({ stage: -1 })).toMatch(/^payload\.stage: /);
    expect(withDeps({ microBatch: 1.5 })).toMatch(/^payload\.microBatch: /);
    expect(withDeps({ outputs: [] })).toMatch(/^payload\.outputs: /);
    expect(withDeps({ outputs: [{ name: 'y', type: 'float32', dims: [1, 0] }] })).toMatch(
      /^payload\.outputs\[0\]\.dims\[1\]: /,
    );
    expect(withDeps({ outputs: [{ name: 'y', type: 'float32', dims: [65_536, 65_536] }] })).toBe(
      'payload.outputs[0].dims: an activation may have at most 2147483648 elements',
    );
    expect(withDeps({ outputs: [{ name: 'y', type: 'float16', dims: [1] }] })).toMatch(
      /^payload\.outputs\[0\]\.type: /,
    );
    expect(
      withDeps({
        outputs: [
          { name: 'y', type: 'float32', dims: [1] },
          { name: 'y', type: 'float32', dims: [2] },
        ],
      }),
    ).toBe("payload.outputs[1].name: output 'y' is declared twice");
    const many = Object.fromEntries(
      Array.from({ length: MAX_STAGE_TENSORS + 1 }, (_, i) => [
        `x${i}`,
        { from: 'value', tensor: { dims: [1], data: [i] } },
      ]),
    );
    expect(withDeps({ inputs: many })).toBe(
      `payload.inputs: a stage may have at most ${MAX_STAGE_TENSORS} inputs`,
    );
    expect(withDeps({ unknown: true })).toMatch(/^payload: .*unknown/i);
    expect(
      withDeps({ inputs: { h: { from: 'dependency', dependency: 0, output: 'h', extra: 1 } } }),
    ).toMatch(/^payload\.inputs\.h: /);
  });

  it('gives a worker only values and artifacts: an unresolved dependency is no assignment', () => {
    const lease = { taskId: 't', attempt: 1, leaseToken: 1, timeoutMs: 1_000, kind: 'shard-stage' };
    const payload = (stageSpec({}) as { payload: Record<string, unknown> }).payload;
    expect(Assignment.safeParse({ ...lease, payload }).success).toBe(false);
    const resolved = {
      ...payload,
      inputs: { h: { from: 'artifact', artifact: MODEL, type: 'float32', dims: [1, 32] } },
    };
    expect(Assignment.safeParse({ ...lease, payload: resolved }).success).toBe(true);
  });

  it('carries bytes inside an assignment or a result only as base64 of at most 1 MiB, and never in a submit', () => {
    const lease = { taskId: 't', attempt: 1, leaseToken: 1, timeoutMs: 1_000, kind: 'shard-stage' };
    const payload = (stageSpec({}) as { payload: Record<string, unknown> }).payload;
    const carrying = (data: string) => ({
      ...lease,
      payload: {
        ...payload,
        inputs: {
          h: { from: 'artifact', artifact: MODEL, type: 'float32', dims: [1, 32], data },
        },
      },
    });
    expect(Assignment.safeParse(carrying('AAECAw==')).success).toBe(true);
    expect(Assignment.safeParse(carrying('not base64!')).success).toBe(false);
    const most = Math.ceil(MAX_INLINE_ACTIVATION_BYTES / 3) * 4;
    expect(Assignment.safeParse(carrying('A'.repeat(most))).success).toBe(true);
    expect(Assignment.safeParse(carrying('A'.repeat(most + 4))).success).toBe(false);
    // A submitted artifact input names committed bytes; it does not bring them.
    const submitted = stageSpec({
      inputs: {
        h: { from: 'artifact', artifact: MODEL, type: 'float32', dims: [1, 32], data: 'AAAA' },
      },
    });
    expect(refusal(submitted)).toMatch(/data/);
    expect(refusal(stageSpec({ maxInlineBytes: MAX_INLINE_ACTIVATION_BYTES + 1 }))).toMatch(
      /maxInlineBytes/,
    );
  });
});
