import {
  type ArtifactRef,
  ownEntry,
  type ResultReport,
  type ShardStagePayload,
  type TaskResult,
  tensorByteLength,
} from '../../protocol/index.js';
import type { CoordinatorContext } from '../context.js';
import type { CoordinatorState } from '../state/index.js';
import { artifactHexOf } from '../store/index.js';
import { infrastructureFailure } from './infrastructure-failure.js';

/** The size of an artifact this coordinator holds durably, or undefined when it has none. */
export type StoredSize = (ref: ArtifactRef) => number | undefined;

const shape = (type: string, dims: readonly number[]) => `${type} [${dims.join(', ')}]`;

/**
 * Why a succeeded shard-stage result does not commit the stage's outputs, or undefined when it
 * does: every declared output is named, with the declared type and shape, by an artifact this
 * coordinator holds durably, of the declared size and hashing to the values' sha256.
 */
export function uncommittedOutput(
  payload: Pick<ShardStagePayload, 'outputs'>,
  result: TaskResult,
  storedSize: StoredSize,
): string | undefined {
  const output = result.output;
  if (output?.kind !== 'shard-stage') return 'the result carries no shard-stage output';
  const declared = new Set(payload.outputs.map(({ name }) => name));
  const undeclared = Object.keys(output.outputs).find((name) => !declared.has(name));
  if (undeclared !== undefined) return `output '${undeclared}' was not declared`;
  for (const { name, type, dims } of payload.outputs) {
    const activation = ownEntry(output.outputs, name);
    if (activation === undefined) return `output '${name}' is missing`;
    const { artifact } = activation;
    if (shape(activation.type, activation.dims) !== shape(type, dims)) {
      return `output '${name}' is ${shape(activation.type, activation.dims)}, declared ${shape(type, dims)}`;
    }
    if (artifact !== `sha256:${activation.summary.sha256}`) {
      return `output '${name}': artifact ${artifact} is not the sha256 of its values (${activation.summary.sha256})`;
    }
    const bytes = tensorByteLength(type, dims);
    const size = storedSize(artifact);
    if (size === undefined) {
      return `output '${name}': artifact ${artifact} was never uploaded to the coordinator`;
    }
    if (size !== bytes || activation.bytes !== bytes) {
      const claimed = activation.bytes === size ? '' : ` (the result says ${activation.bytes})`;
      return `output '${name}': artifact ${artifact} is ${size} bytes${claimed}, a ${shape(type, dims)} activation is ${bytes}`;
    }
  }
  return undefined;
}

/** The payload of the shard-stage attempt a succeeded report is about, if it is one to check. */
function stageToCheck(
  state: CoordinatorState,
  workerId: string,
  report: ResultReport,
): ShardStagePayload | undefined {
  const task = state.tasks.get(report.taskId);
  if (task?.spec.kind !== 'shard-stage' || report.result.status !== 'succeeded') return undefined;
  // A late or foreign report is not recorded anyway (see `apply`).
  if (task.workerId !== workerId || task.attempt !== report.attempt) return undefined;
  return task.spec.payload;
}

/**
 * The reports as they are to be recorded: a succeeded result of a shard-stage attempt that
 * still holds its lease, whose outputs are not committed (see `uncommittedOutput`), becomes an
 * infrastructure failure naming the problem, so the attempt is retried and no consumer ever
 * reads an activation the coordinator lacks.
 */
export function withCommittedOutputs(
  state: CoordinatorState,
  workerId: string,
  reports: readonly ResultReport[],
  storedSize: StoredSize,
): ResultReport[] {
  return reports.map((report) => {
    const payload = stageToCheck(state, workerId, report);
    if (payload === undefined) return report;
    const { result } = report;
    const problem = uncommittedOutput(payload, result, storedSize);
    if (problem === undefined) return report;
    return {
      ...report,
      result: infrastructureFailure(result, `the stage's outputs are not committed: ${problem}`),
    };
  });
}

/** The artifacts that the reports to check name and that this member has no copy of. */
function artifactsNotHere(
  ctx: CoordinatorContext,
  workerId: string,
  reports: readonly ResultReport[],
): Set<string> {
  const missing = new Set<string>();
  for (const report of reports) {
    const { output } = report.result;
    if (stageToCheck(ctx.state, workerId, report) === undefined) continue;
    if (output?.kind !== 'shard-stage') continue;
    for (const { artifact } of Object.values(output.outputs)) {
      const hex = artifactHexOf(artifact);
      if (hex !== undefined && ctx.artifacts.file(hex) === undefined) missing.add(hex);
    }
  }
  return missing;
}

/**
 * Calls `record` with the reports once their shard-stage outputs are checked against the
 * artifact store (`withCommittedOutputs`): at once when this member holds every artifact
 * named, else (in a cluster) after fetching the others from a member that has them, as the
 * artifact download route does.
 */
export function checkCommittedOutputs(
  ctx: CoordinatorContext,
  workerId: string,
  reports: ResultReport[],
  record: (reports: ResultReport[]) => void,
): void {
  const storedSize: StoredSize = (ref) => {
    const hex = artifactHexOf(ref);
    return hex === undefined ? undefined : ctx.artifacts.file(hex)?.size;
  };
  const check = () => record(withCommittedOutputs(ctx.state, workerId, reports, storedSize));
  const replicas = ctx.artifactReplicas;
  const missing = artifactsNotHere(ctx, workerId, reports);
  if (replicas === undefined || missing.size === 0) {
    check();
    return;
  }
  // `obtain` settles with a file or the reasons none came; what is still missing then fails.
  Promise.all([...missing].map((hex) => replicas.obtain(hex)))
    .then(check)
    .catch((error: unknown) =>
      ctx.logger.error({ err: error, workerId }, 'checking shard-stage outputs failed'),
    );
}
