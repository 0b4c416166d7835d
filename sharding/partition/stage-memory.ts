import type { NodeSequence } from './node-sequence.js';

/** What one stage needs in memory while it runs. */
export interface StageMemory {
  /** Bytes of the initializers its nodes read, each counted once. */
  weightBytes: number;
  /** See `scanStageMemory`. */
  activationBytes: number;
}

/**
 * Calls `visit(end, memory)` for the stages `sequence[start..end)`, end = start + 1, start +
 * 2, … while it returns true. A stage's activation bytes are
 * - its inputs, all of them for the whole run (the caller holds the feeds until it returns),
 * - plus the peak, over its nodes in order, of the values it has produced that are still
 *   needed (by a later node of the stage, or as stage outputs, which are held to the end),
 *   counting the running node's outputs.
 * No in-place reuse is assumed, so this bounds what onnxruntime's memory planner needs from
 * above. Growing a stage by a node never lowers it, which the budget search relies on.
 */
export function scanStageMemory(
  sequence: NodeSequence,
  bytesOf: (value: string) => number,
  start: number,
  visit: (end: number, memory: StageMemory) => boolean,
): void {
  const { initializers } = sequence.graph;
  const weightsSeen = new Set<string>();
  const inputsSeen = new Set<string>();
  const releasedAfter = new Map<number, number>();
  let weightBytes = 0;
  let inputBytes = 0;
  let live = 0;
  let peak = 0;
  for (let at = start; at < sequence.length; at++) {
    for (const input of sequence.nodes[at]!.inputs) {
      const initializer = initializers.get(input);
      if (initializer !== undefined) {
        if (!weightsSeen.has(input)) weightBytes += initializer.bytes;
        weightsSeen.add(input);
      } else if (!((sequence.producerOf(input) ?? -1) >= start) && !inputsSeen.has(input)) {
        inputsSeen.add(input);
        inputBytes += bytesOf(input);
      }
    }
    const produced = sequence.produces[at]!.map((value) => ({
      ...value,
      bytes: bytesOf(value.name),
    }));
    peak = Math.max(peak, live + produced.reduce((sum, { bytes }) => sum + bytes, 0));
    for (const { bytes, lastRead, leaves } of produced) {
      if (leaves) live += bytes;
      else if (lastRead > at) {
        live += bytes;
        releasedAfter.set(lastRead, (releasedAfter.get(lastRead) ?? 0) + bytes);
      }
    }
    live -= releasedAfter.get(at) ?? 0;
    if (!visit(at + 1, { weightBytes, activationBytes: inputBytes + peak })) return;
  }
}

/** The memory of the stage `sequence[start..end)`. */
export function stageMemory(
  sequence: NodeSequence,
  bytesOf: (value: string) => number,
  start: number,
  end: number,
): StageMemory {
  let result: StageMemory = { weightBytes: 0, activationBytes: 0 };
  scanStageMemory(sequence, bytesOf, start, (at, memory) => {
    result = memory;
    return at < end;
  });
  return result;
}
