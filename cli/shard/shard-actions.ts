import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ExecutionProvider } from '../../protocol/index.js';
import {
  type PartitionPlan,
  type PartitionStrategy,
  planPartition,
  readModelGraph,
  resolveShapes,
  stageModels,
} from '../../sharding/partition/index.js';
import { PlacementError } from '../../sharding/placement/index.js';
import { coordinatorAccess } from '../connection.js';
import { formatPartitionPlan } from '../format/partition-plan.js';
import { formatLivePlacement } from '../format/stage-placement.js';
import { loadModelEntry } from '../model-entry.js';
import { printJson, printLine, printStatus } from '../output.js';
import { type LivePlacement, placeOnLiveWorkers } from './live-placement.js';

export interface PlanOptions {
  stages?: number;
  budgetMb?: number;
  strategy: PartitionStrategy | 'auto';
  seed: number;
  json?: boolean;
}

/** Loads the model, measures its shapes where it does not declare them all, and plans. */
async function makePlan(entry: string, options: PlanOptions) {
  const model = await loadModelEntry(entry, options.seed, 'model');
  const graph = readModelGraph(model.bytes);
  printStatus(`finding the shape of every value of ${model.name}…`);
  const { shapes, measured } = await resolveShapes(graph, model.inputs);
  const plan = planPartition(graph, shapes, {
    stages: options.stages,
    budgetBytes: options.budgetMb,
    strategy: options.strategy,
  });
  return { model, graph, shapes, measured, plan };
}

function printPlan(
  plan: PartitionPlan,
  name: string,
  measured: boolean,
  json: boolean | undefined,
): void {
  if (json) printJson(plan);
  else printLine(formatPartitionPlan(plan, name, measured));
}

/** `dtf shard plan`: the plan, and with --coordinator where each stage would run. */
export async function planAction(
  entry: string,
  options: PlanOptions & { backends?: ExecutionProvider[] },
  command: Command,
): Promise<void> {
  const { model, measured, plan } = await makePlan(entry, options);
  if (command.optsWithGlobals<{ coordinator?: string[] }>().coordinator === undefined) {
    printPlan(plan, model.name, measured, options.json);
    return;
  }
  const access = coordinatorAccess(command);
  printStatus(`placing the stages on the live workers of ${access.urls.join(', ')}…`);
  const backends = options.backends ?? ExecutionProvider.options;
  if (!options.json) printPlan(plan, model.name, measured, false);
  let placement: LivePlacement;
  try {
    placement = await placeOnLiveWorkers(access, plan, backends, options.budgetMb);
  } catch (error) {
    if (!(error instanceof PlacementError)) throw error;
    throw new Error(`cannot place the stages on the live workers: ${error.message}`);
  }
  if (options.json) printJson({ plan, placement });
  else printLine(`\n${formatLivePlacement(placement)}`);
}

/** `dtf shard split`: the stage models and the plan, written to `--out`. */
export async function splitAction(
  entry: string,
  options: PlanOptions & { out: string },
): Promise<void> {
  const { model, graph, shapes, measured, plan } = await makePlan(entry, options);
  const stages = stageModels(graph, plan, shapes);
  await mkdir(options.out, { recursive: true });
  const written = await Promise.all(
    stages.map(async (bytes, i) => {
      const path = join(options.out, `stage-${i}.onnx`);
      await writeFile(path, bytes);
      return `${path} (${bytes.byteLength} bytes)`;
    }),
  );
  const planPath = join(options.out, 'plan.json');
  await writeFile(planPath, `${JSON.stringify(plan, null, 2)}\n`);
  printPlan(plan, model.name, measured, options.json);
  printStatus(`wrote ${[...written, planPath].join(', ')}`);
}
