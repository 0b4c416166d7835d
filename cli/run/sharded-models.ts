import { describeError } from '../../client/index.js';
import { type ReferenceOutputs, referenceRuns, type TestModel } from '../../models/index.js';
import type { MatrixSharding, ModelMatrix } from '../../protocol/index.js';
import { microBatchInputs, type PreparedModel, prepareModel } from '../../sharding/run/index.js';
import type { LoadedModels } from './prepare-models.js';

/** A model of the matrix ready for its sharded runs. */
export interface ShardedModel {
  prepared: PreparedModel;
  /** onnxruntime-node's outputs for each micro-batch's inputs, by micro-batch. */
  references: ReferenceOutputs[];
}

/** The sharding's budget in bytes (MB of 10⁶ bytes, as `dtf shard plan --budget-mb`). */
export function shardingBudgetBytes(sharding: MatrixSharding): number | undefined {
  return sharding.budgetMb === undefined ? undefined : Math.round(sharding.budgetMb * 1e6);
}

/**
 * Cuts every model the matrix shards into its stages (each stage checked runnable) and computes
 * the reference outputs of each micro-batch: all before anything starts, so that a model that
 * cannot be cut as asked is an error naming the suite file (`what`) and the model.
 */
export async function prepareShardedModels(
  matrix: ModelMatrix,
  loaded: LoadedModels,
  what: string,
): Promise<ShardedModel[]> {
  const { sharding } = matrix;
  if (sharding === undefined) return [];
  const entries = sharding.models ?? matrix.models;
  const sharded: ShardedModel[] = [];
  for (const entry of entries) {
    const model = loaded.models[matrix.models.indexOf(entry)]!;
    sharded.push(await prepareOne(model, sharding, what));
  }
  return sharded;
}

async function prepareOne(
  model: TestModel,
  sharding: MatrixSharding,
  what: string,
): Promise<ShardedModel> {
  try {
    const prepared = await prepareModel(model, {
      stages: sharding.stages,
      strategy: sharding.strategy,
      budgetBytes: shardingBudgetBytes(sharding),
    });
    const inputs = Array.from({ length: sharding.microBatches }, (_, b) =>
      microBatchInputs(model.inputs, b),
    );
    return { prepared, references: await referenceRuns(model.bytes, inputs) };
  } catch (error) {
    throw new Error(`${what}: cannot shard model ${model.name}: ${describeError(error)}`);
  }
}
