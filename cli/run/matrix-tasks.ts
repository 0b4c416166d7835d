import type { ArtifactRef, ModelMatrix, TaskSpecInput, TensorInput } from '../../protocol/index.js';

/** A model ready to run: stored in the coordinator, with its generated inputs. */
export interface StoredModel {
  name: string;
  ref: ArtifactRef;
  inputs: Record<string, TensorInput>;
}

/** Task labels that tie a model task back to its matrix cell. */
export const CELL_LABELS = {
  model: 'dtf.model',
  worker: 'dtf.worker',
  provider: 'dtf.provider',
} as const;

/**
 * One `model` task per model × target × execution provider. `node` targets go to Node workers;
 * any other target name is a browser name.
 */
export function matrixTasks(
  matrix: ModelMatrix,
  models: readonly StoredModel[],
  group: string,
): TaskSpecInput[] {
  const tasks: TaskSpecInput[] = [];
  for (const model of models) {
    for (const target of matrix.targets) {
      for (const provider of target.executionProviders) {
        tasks.push({
          kind: 'model',
          name: `${model.name} · ${target.worker} · ${provider}`,
          group,
          payload: {
            model: model.ref,
            executionProvider: provider,
            inputs: model.inputs,
            runs: matrix.runs,
          },
          requirements:
            target.worker === 'node' ? { workerKind: 'node' } : { browser: target.worker },
          labels: {
            [CELL_LABELS.model]: model.name,
            [CELL_LABELS.worker]: target.worker,
            [CELL_LABELS.provider]: provider,
          },
        });
      }
    }
  }
  return tasks;
}
