import type { NodeSequence } from './node-sequence.js';

/** What crosses each position a sequence can be cut at. */
export interface SequenceCuts {
  /**
   * `bytes[p]`, p = 1 … length − 1: bytes of the values produced before position p and read
   * at or after it, within the sequence.
   */
  bytes: Float64Array;
  /** `allowed[p]`: every value crossing p is of a type stages exchange. */
  allowed: boolean[];
}

export function sequenceCuts(
  sequence: NodeSequence,
  bytesOf: (value: string) => number,
  exchangeable: (value: string) => boolean,
): SequenceCuts {
  const length = sequence.length;
  const bytesDelta = new Float64Array(length + 1);
  const blockedDelta = new Int32Array(length + 1);
  sequence.produces.forEach((values, at) => {
    for (const { name, lastRead } of values) {
      if (lastRead <= at) continue;
      // It crosses every cut from at + 1 to lastRead.
      bytesDelta[at + 1]! += bytesOf(name);
      bytesDelta[lastRead + 1]! -= bytesOf(name);
      if (!exchangeable(name)) {
        blockedDelta[at + 1]!++;
        blockedDelta[lastRead + 1]!--;
      }
    }
  });
  const bytes = new Float64Array(length + 1);
  const allowed = new Array<boolean>(length + 1).fill(true);
  let crossing = 0;
  let blocked = 0;
  for (let p = 0; p <= length; p++) {
    crossing += bytesDelta[p]!;
    blocked += blockedDelta[p]!;
    bytes[p] = crossing;
    allowed[p] = blocked === 0;
  }
  return { bytes, allowed };
}
