import { describe, expect, it } from 'vitest';
import {
  buildSampleModel,
  DEFAULT_TOLERANCES,
  type SampleModelName,
} from '../../../../models/index.js';
import {
  type PartitionOptions,
  planPartition,
  readModelGraph,
  resolveShapes,
  stageModels,
} from '../../../../sharding/partition/index.js';
import {
  initializerUse,
  largestDifference,
  runModel,
  runStages,
  seededFeeds,
  tensorBytes,
} from '../../../support/stage-chain.js';

/**
 * Splits a sample model as asked and runs the stages one after another on onnxruntime-node.
 * With graph optimizations off every graph output is bit for bit the whole model's: each op
 * runs the same kernel on the same values. With them on (onnxruntime's default), a fusion
 * across a cut happens in the whole model only, so outputs agree within the CPU tolerance.
 * Each stage holds exactly the initializers its nodes read.
 */
async function splitAndCompare(name: SampleModelName, options: PartitionOptions[]) {
  const model = buildSampleModel(name, 3);
  const graph = readModelGraph(model.bytes);
  const { shapes } = await resolveShapes(graph, model.inputs);
  const feeds = seededFeeds(model.inputs);
  const exact = await runModel(model.bytes, feeds, 'disabled');
  const optimized = await runModel(model.bytes, feeds, 'all');
  const weights = new Set(graph.initializers.keys());
  const plans = [];
  for (const option of options) {
    const what = `${name} ${JSON.stringify(option)}`;
    const plan = planPartition(graph, shapes, option);
    const stages = stageModels(graph, plan, shapes);
    const exactStages = await runStages(stages, plan, feeds, 'disabled');
    const optimizedStages = await runStages(stages, plan, feeds, 'all');
    for (const [output, tensor] of Object.entries(exact)) {
      expect(exactStages[output]?.dims, `${what}: ${output}`).toEqual(tensor.dims);
      expect(
        tensorBytes(exactStages[output]!).equals(tensorBytes(tensor)),
        `${what}: ${output} differs from the whole model's`,
      ).toBe(true);
      expect(
        largestDifference(optimizedStages[output]!, optimized[output]!),
        `${what}: ${output} with optimizations`,
      ).toBeLessThanOrEqual(DEFAULT_TOLERANCES.cpu.absolute);
    }
    for (const stage of stages) {
      const { held, read } = initializerUse(stage, weights);
      expect(held).toEqual(read);
    }
    plans.push(plan);
  }
  return plans;
}

const upToFour = [1, 2, 3, 4].map((stages) => ({ stages, strategy: 'pipeline' as const }));

describe('stage models chained on onnxruntime-node', () => {
  it.each(['mlp', 'cnn', 'transformer-block', 'two-tower'] as const)(
    '%s split into 1 to 4 pipeline stages gives the whole model’s outputs',
    async (name) => {
      const plans = await splitAndCompare(name, upToFour);
      expect(plans.map((plan) => plan.stages.length)).toEqual([1, 2, 3, 4]);
    },
  );

  it('transformer-stack split into 3 pipeline stages and under an 8 MB budget gives its outputs', async () => {
    const [three, budgeted] = await splitAndCompare('transformer-stack', [
      { stages: 3 },
      { budgetBytes: 8e6 },
    ]);
    // Cut where one 16 KiB activation crosses: after an attention layer.
    expect(three!.stages.map((stage) => stage.nodes.length)).toEqual([93, 89, 78]);
    expect(budgeted!.stages.length).toBe(5);
  });

  it('two-tower split by component, its towers further cut, gives its outputs', async () => {
    const plans = await splitAndCompare('two-tower', [
      { strategy: 'component' },
      // Balanced by compute alone: what so small a model hands on would outweigh it.
      { strategy: 'component', stages: 5, handlingFlopsPerByte: 0 },
    ]);
    expect(plans.map((plan) => plan.stages.map((stage) => stage.branch))).toEqual([
      ['image', 'text', 'join'],
      ['image', 'image', 'text', 'text', 'join'],
    ]);
  });
});
