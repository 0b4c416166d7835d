import { type Command, Option } from 'commander';
import type { ExecutionProvider } from '../../protocol/index.js';
import { executionProviders } from '../options/backends.js';
import { anyInteger, positiveInteger } from '../options/integers.js';
import { megabytesAsBytes } from '../options/megabytes.js';
import type { PlanOptions } from '../shard/shard-actions.js';

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
        // Loaded when asked for: the partitioner's code slows every other command's start.
        const { planAction } = await import('../shard/shard-actions.js');
        await planAction(entry, options, command);
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
    const { splitAction } = await import('../shard/shard-actions.js');
    await splitAction(entry, options);
  });
}
