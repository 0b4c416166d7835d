import type { ProtocolError, TaskSpec } from '../protocol/index.js';
import type { Audited } from './audit-stamp.js';
import type { Grant } from './auth/index.js';
import type { CoordinatorContext } from './context.js';
import { scopeRefusal } from './scopes.js';
import { stageSubmitProblem } from './shard-stage/index.js';
import type { StateEvent } from './state/index.js';
import { type ArtifactStore, artifactHexOf } from './store/index.js';
import { artifactsNamed } from './submit-artifacts.js';
import { resolveDependencies } from './submit-dependencies.js';
import { newTaskId } from './task-ids.js';

export type SubmitOutcome = { error: ProtocolError } | { taskIds: string[] };

/**
 * Checks what the schema cannot: every artifact a task refers to is in the store. A submit that
 * fails here stores nothing.
 */
function checkSubmittable(
  specs: readonly TaskSpec[],
  artifacts: ArtifactStore,
): ProtocolError | undefined {
  for (const [index, spec] of specs.entries()) {
    for (const { field, ref } of artifactsNamed(spec)) {
      if (artifacts.has(ref)) continue;
      return {
        code: 'not_found',
        message: `tasks[${index}].${field}: artifact ${ref} is not in the store; upload the file with PUT /api/artifacts first`,
      };
    }
  }
  return undefined;
}

/**
 * Task ids in submit order (a task deduplicated by idempotency key answers with the first
 * task's id), or the refusal of the whole submit.
 */
function submitOutcome(
  tasks: ReadonlyArray<{ id: string }>,
  events: readonly StateEvent[],
): SubmitOutcome {
  const replaced = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'SubmitRefused') {
      return {
        error: {
          code: 'conflict',
          message: `tasks[${e.index}].idempotencyKey: '${e.key}' already stands for task ${e.existingId}, submitted with another spec; a repeat must be identical, so use a new key for a different task`,
        },
      };
    }
    if (e.type === 'TaskDeduplicated') replaced.set(e.requestedId, e.existingId);
  }
  return { taskIds: tasks.map((t) => replaced.get(t.id) ?? t.id) };
}

/**
 * Accepts validated specs from any edge (REST or WebSocket): checks them, gives them ids and
 * queues the submit; `reply` runs once the tasks are durable, or at once with the refusal.
 */
export function submitSpecs(
  ctx: CoordinatorContext,
  specs: readonly TaskSpec[],
  reply: (outcome: SubmitOutcome) => void,
  by: Pick<Grant, 'keyId' | 'scopes'> & Audited = {},
): void {
  const refused = scopeRefusal(specs, by.scopes) ?? ctx.admission.admit(by.keyId, specs.length);
  if (refused !== undefined) {
    reply({ error: refused });
    return;
  }
  // Admitted: the tasks count against the queue bounds as pending until the commit answers.
  const settled = (outcome: SubmitOutcome) => {
    ctx.admission.settle(by.keyId, specs.length);
    reply(outcome);
  };
  const replicas = ctx.artifactReplicas;
  const missing = specs.flatMap((spec) =>
    artifactsNamed(spec).flatMap(({ ref }) =>
      ctx.artifacts.has(ref) ? [] : (artifactHexOf(ref) ?? []),
    ),
  );
  if (replicas === undefined || missing.length === 0) {
    submitChecked(ctx, specs, settled, by);
    return;
  }
  // In a cluster another member may hold an artifact this one has no copy of yet.
  Promise.all(missing.map((hex) => replicas.obtain(hex)))
    .then(() => submitChecked(ctx, specs, settled, by))
    .catch((error: unknown) => settled({ error: { code: 'internal', message: String(error) } }));
}

function submitChecked(
  ctx: CoordinatorContext,
  specs: readonly TaskSpec[],
  reply: (outcome: SubmitOutcome) => void,
  { keyId: owner, audit }: Pick<Grant, 'keyId'> & Audited,
): void {
  const refusal = checkSubmittable(specs, ctx.artifacts);
  if (refusal !== undefined) {
    reply({ error: refusal });
    return;
  }
  const now = ctx.now();
  const resolved = resolveDependencies(
    specs.map((spec) => ({ id: newTaskId(now), spec })),
    (id) => ctx.state.tasks.has(id),
  );
  if ('error' in resolved) {
    reply(resolved);
    return;
  }
  const { tasks } = resolved;
  const stageProblem = stageSubmitProblem(tasks, ctx.state.tasks, ctx.artifacts);
  if (stageProblem !== undefined) {
    reply({ error: stageProblem });
    return;
  }
  ctx.commit.submit(
    {
      type: 'SubmitTasks',
      now,
      tasks,
      ...(owner === undefined ? {} : { owner }),
      ...(audit === undefined ? {} : { audit }),
    },
    (events) => reply(submitOutcome(tasks, events)),
    (error) => reply({ error }),
  );
}
