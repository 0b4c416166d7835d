import { InvalidArgumentError } from 'commander';
import type { ShardSpec } from '../../protocol/index.js';

/** A commander parser for `--shard i/n`: this job runs part i of n, 1 ≤ i ≤ n ≤ 1000. */
export function shardSpec(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const current = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (match === null || !(current >= 1 && current <= total && total <= 1_000)) {
    throw new InvalidArgumentError('expected i/n with 1 ≤ i ≤ n ≤ 1000, such as 1/2');
  }
  return { current, total };
}
