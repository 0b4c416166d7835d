import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Benchmark } from './benchmark.js';
import { BENCHMARKS } from './benchmarks.js';
import { describeMachine } from './machine.js';
import { writeResults } from './results.js';
import { runBenchmarks } from './runner.js';
import { formatTable } from './table.js';

/** The repository root: this file runs as `dist/bench/main.js`. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const USAGE =
  'usage: npm run bench [-- --quick] [--only name,name] (a name picks that benchmark, or every one named name-*: raft)';

/** Whether `--only name` picks `benchmark`: its own name, or the family it starts (`raft`). */
function picks(name: string, benchmark: Benchmark): boolean {
  return benchmark.name === name || benchmark.name.startsWith(`${name}-`);
}

interface BenchArgs {
  quick: boolean;
  only: string[] | undefined;
}

/** The arguments, or undefined after printing usage for anything else. */
function parseBenchArgs(): BenchArgs | undefined {
  try {
    const { values } = parseArgs({
      options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
    });
    const only = values.only?.split(',').map((name) => name.trim());
    const unknown = only?.filter((name) => !BENCHMARKS.some((b) => picks(name, b))) ?? [];
    if (unknown.length > 0) {
      throw new Error(
        `unknown benchmark ${unknown.join(', ')} (there are: ${BENCHMARKS.map((b) => b.name).join(', ')})`,
      );
    }
    return { quick: values.quick, only };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  if (args === undefined) {
    process.exitCode = 2;
    return;
  }
  const { quick, only } = args;
  const selected =
    only === undefined ? BENCHMARKS : BENCHMARKS.filter((b) => only.some((name) => picks(name, b)));
  const startedAt = new Date();
  const machine = describeMachine();
  const figures = await runBenchmarks(selected, quick);
  process.stdout.write(`${formatTable(figures)}\n`);
  const file = writeResults(REPO_ROOT, figures, { startedAt, quick, machine });
  process.stderr.write(`results written to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
