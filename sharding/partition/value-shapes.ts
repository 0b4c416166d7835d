import type pkg from 'onnx-proto';
import { type ElementType, elementTypeOf } from './element-types.js';
import type { ModelGraph } from './model-graph.js';

/** The element type and static dimensions of one value. */
export interface ValueShape {
  type: ElementType;
  dims: number[];
}

/** Shapes by value name: every graph input and node output of a graph. */
export type ValueShapes = ReadonlyMap<string, ValueShape>;

/** The values whose shapes a plan needs: graph inputs and node outputs. */
export function shapedValues(graph: ModelGraph): string[] {
  return [...graph.inputs, ...graph.nodes.flatMap((node) => node.outputs)];
}

function declaredShape(value: pkg.onnx.IValueInfoProto): ValueShape | undefined {
  const tensor = value.type?.tensorType;
  const type = elementTypeOf(tensor?.elemType ?? 0);
  const dims = tensor?.shape?.dim?.map((dim) => (dim.dimValue == null ? -1 : Number(dim.dimValue)));
  if (type === undefined || dims === undefined || dims.some((d) => d < 0)) return undefined;
  return { type, dims };
}

/**
 * The shapes the model declares (graph inputs, outputs and value_info) where they are static,
 * and the values whose shape it leaves open (none declared, or a symbolic dimension).
 */
export function declaredShapes(graph: ModelGraph): { shapes: ValueShapes; missing: string[] } {
  const declared = graph.model.graph!;
  const known = new Map<string, ValueShape>();
  for (const value of [
    ...(declared.input ?? []),
    ...(declared.output ?? []),
    ...(declared.valueInfo ?? []),
  ]) {
    const shape = declaredShape(value);
    if (shape !== undefined && value.name) known.set(value.name, shape);
  }
  const shapes = new Map<string, ValueShape>();
  const missing: string[] = [];
  for (const name of shapedValues(graph)) {
    const shape = known.get(name);
    if (shape === undefined) missing.push(name);
    else shapes.set(name, shape);
  }
  return { shapes, missing };
}
