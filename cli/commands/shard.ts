import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
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
import { executionProviders } from '../options/backends.js';
import { anyInteger, positiveInteger } from '../options/integers.js';
import { megabytesAsBytes } from '../options/megabytes.js';
import { printJson, printLine, printStatus } from '../output.js';
import { type LivePlacement, placeOnLiveWorkers } from '../shard/live-placement.js';

interface PlanOptions {
  stages?: number;
  budgetMb?: number;
  strategy: PartitionStrategy | 'auto';
  seed: number;
  json?: boolean;
}

function addPlanOptions(command: Command): Command {
  return command
    .argument(
      '<model>',
      'an .onnx file, or a sample model by name (mlp, cnn, transformer-block, transformer-stack, two-tower; also written sample:<name>)',
    )
    .option(
      '--stages <k>',
      'how many stages (default: the fewest the budget allows, else 1, or one per branch)',
      positiveInteger,
    )
    .option(
      '--budget-mb <mb>',
      'the most memory one stage may need, weights + activations, in MB',
      megabytesAsBytes,
    )
    .addOption(
      new Option(
        '--strategy <strategy>',
        'pipeline: contiguous stages; component: independent branches apart, then their join; auto: component where the model has such branches',
      )
        .choices(['pipeline', 'component', 'auto'])
        .default('auto'),
    )
    .option(
      '--seed <n>',
      "seed of a sample model's weights and of the inputs shapes are measured with",
      anyInteger,
      1,
    )
    .option('--json', 'print the plan as JSON');
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

/** `dtf shard plan` and `dtf shard split`: cut a model into stages that run on different workers. */
export function registerShardCommand(program: Command): void {
  const shard = program
    .command('shard')
    .description('cut an ONNX model into stages that run on different workers');
  addPlanOptions(
    shard
      .command('plan')
      .description(
        'print how a model would be cut: each stage, its memory and cost, and the tensors that cross each cut; with --coordinator, where each stage would run on its live workers and why',
      ),
  )
    .option(
      '--backends <list>',
      'with --coordinator: the backends stages may be placed on, comma-separated, preferred first on a tie (default: cpu,wasm,webgpu,webnn)',
      executionProviders,
    )
    .action(
      async (
        entry: string,
        options: PlanOptions & { backends?: ExecutionProvider[] },
        command: Command,
      ) => {
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
      },
    );
  addPlanOptions(
    shard
      .command('split')
      .description(
        'cut a model into stages and write each as stage-<i>.onnx, with the plan as plan.json',
      )
      .requiredOption('--out <dir>', 'directory for the stage models and plan.json'),
  ).action(async (entry: string, options: PlanOptions & { out: string }) => {
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
  });
}
