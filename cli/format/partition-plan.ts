import { megabytes, type PartitionPlan, type StagePlan } from '../../sharding/partition/index.js';
import { formatTable } from './table.js';

/** FLOPs with a k, M or G prefix: `85.70 MFLOPs`. */
function flops(count: number): string {
  for (const [prefix, size] of [
    ['G', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ] as const) {
    if (count >= size) return `${(count / size).toFixed(2)} ${prefix}FLOPs`;
  }
  return `${count} FLOPs`;
}

/** Op counts, the most frequent first: `MatMul×22 Add×34 …`. */
function opSummary(stage: StagePlan): string {
  return Object.entries(stage.ops)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([op, count]) => `${op}×${count}`)
    .join(' ');
}

function stageTable(plan: PartitionPlan): string {
  const component = plan.strategy === 'component';
  const header = [
    'STAGE',
    ...(component ? ['BRANCH'] : []),
    'NODES',
    'FIRST',
    'LAST',
    'WEIGHTS',
    'ACTIVATIONS',
    'FLOPS',
    'DEPENDS ON',
    'OPS',
  ];
  return formatTable([
    header,
    ...plan.stages.map((stage) => [
      String(stage.index),
      ...(component ? [stage.branch ?? ''] : []),
      String(stage.nodes.length),
      stage.nodes[0] ?? '',
      stage.nodes[stage.nodes.length - 1] ?? '',
      megabytes(stage.weightBytes),
      megabytes(stage.activationBytes),
      flops(stage.costFlops),
      stage.dependsOn.length === 0 ? '-' : stage.dependsOn.join(','),
      opSummary(stage),
    ]),
  ]);
}

function cutTable(plan: PartitionPlan): string {
  return formatTable([
    ['CUT', 'TENSOR', 'TYPE', 'SHAPE', 'BYTES'],
    ...plan.cuts.flatMap((cut) =>
      cut.tensors.map((tensor, i) => [
        i === 0 ? `${cut.from} → ${cut.to}` : '',
        tensor.name,
        tensor.type,
        `[${tensor.dims.join(', ')}]`,
        String(tensor.bytes),
      ]),
    ),
  ]);
}

/**
 * A plan for people: the model, the plan's totals, a row per stage (its nodes, first and last
 * node, memory, estimated FLOPs, the stages it waits for, its ops) and a row per tensor that
 * crosses a cut.
 */
export function formatPartitionPlan(
  plan: PartitionPlan,
  modelName: string,
  measured: boolean,
): string {
  const { totals } = plan;
  const shapes = measured
    ? 'shapes measured on onnxruntime-node'
    : 'shapes as the model declares them';
  const budget =
    plan.budgetBytes === undefined
      ? ''
      : `; budget ${megabytes(plan.budgetBytes)} a stage, the largest needs ${megabytes(totals.largestStageBytes)}`;
  const lines = [
    `${modelName}: ${totals.nodes} nodes, ${megabytes(totals.weightBytes)} of weights, ${flops(totals.costFlops)} a run (${shapes})`,
    `${plan.strategy} plan, ${plan.stages.length} stage(s)${budget}; ${totals.crossingBytes} bytes cross the cuts a run`,
    '',
    stageTable(plan),
  ];
  if (plan.cuts.length > 0) lines.push('', cutTable(plan));
  return lines.join('\n');
}
