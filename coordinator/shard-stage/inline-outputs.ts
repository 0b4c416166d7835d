import {
  type ResultReport,
  type StageActivation,
  type TaskResult,
  tensorByteLength,
} from '../../protocol/index.js';
import type { CoordinatorContext } from '../context.js';
import { artifactHexOf } from '../store/index.js';
import { infrastructureFailure } from './infrastructure-failure.js';
import { heldStageLease } from './stage-lease.js';

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** The result without the bytes of its outputs: those are never recorded, only committed. */
function withoutData(result: TaskResult): TaskResult {
  const { output } = result;
  if (output?.kind !== 'shard-stage') return result;
  const outputs: Record<string, StageActivation> = {};
  for (const [name, { data: _data, ...activation }] of Object.entries(output.outputs)) {
    outputs[name] = activation;
  }
  return { ...result, output: { ...output, outputs } };
}

/** Whether a report carries output bytes to commit before it is recorded. */
export function carriesOutputBytes({ result }: ResultReport): boolean {
  const { output } = result;
  return (
    output?.kind === 'shard-stage' &&
    Object.values(output.outputs).some(({ data }) => data !== undefined)
  );
}

/**
 * Commits the output bytes a succeeded result carries (each stored under its hash, and in a
 * cluster on a majority), then resolves with the report as it may be recorded: without the
 * bytes. Only the worker holding the attempt's live lease may commit them, only for declared
 * outputs and at exactly their declared size; a report whose bytes cannot be committed becomes
 * an infrastructure failure naming why, so the attempt is retried and nothing reads an
 * activation the coordinator lacks.
 */
export async function commitInlineOutputs(
  ctx: Pick<CoordinatorContext, 'state' | 'artifacts' | 'artifactReplicas' | 'recentActivations'>,
  workerId: string,
  report: ResultReport,
): Promise<ResultReport> {
  const { result } = report;
  if (!carriesOutputBytes(report)) return report;
  const recorded = { ...report, result: withoutData(result) };
  const held = heldStageLease(ctx.state, workerId, report);
  // A late or foreign report is not recorded anyway (see `apply`): nothing of it is stored.
  if (result.status !== 'succeeded' || 'code' in held) return recorded;
  const { outputs: declared } = held.task.spec.payload;
  const outputs = result.output?.kind === 'shard-stage' ? result.output.outputs : {};
  try {
    for (const [name, activation] of Object.entries(outputs)) {
      if (activation.data === undefined) continue;
      const spec = declared.find((output) => output.name === name);
      if (spec === undefined) throw new Error(`output '${name}' was not declared`);
      const bytes = Buffer.from(activation.data, 'base64');
      const expected = tensorByteLength(spec.type, spec.dims);
      if (bytes.byteLength !== expected) {
        throw new Error(
          `output '${name}' came as ${bytes.byteLength} bytes; a ${spec.type} [${spec.dims.join(', ')}] activation is ${expected}`,
        );
      }
      const expectedHex = artifactHexOf(activation.artifact);
      if (expectedHex === undefined) throw new Error(`output '${name}' names no artifact`);
      const staged = await ctx.artifacts.stage(once(bytes), { expectedHex, exactBytes: expected });
      const replicas = ctx.artifactReplicas;
      await (replicas === undefined ? ctx.artifacts.commit(staged) : replicas.replicate(staged));
      ctx.recentActivations.remember(expectedHex, bytes);
    }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ...recorded,
      result: infrastructureFailure(
        recorded.result,
        `the stage's outputs are not committed: ${why}`,
      ),
    };
  }
  return recorded;
}
