import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCHMARKS } from './benchmarks.js';
import { describeMachine } from './machine.js';
import { writeResults } from './results.js';
import { runBenchmarks } from './runner.js';
import { formatTable } from './table.js';

/** The repository root: this file runs as `dist/bench/main.js`. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const USAGE = 'usage: npm run bench [-- --quick]';

/** `--quick`, or undefined after printing usage for anything else. */
function parseQuick(): boolean | undefined {
  try {
    const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
    return values.quick;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const quick = parseQuick();
  if (quick === undefined) {
    process.exitCode = 2;
    return;
  }
  const startedAt = new Date();
  const machine = describeMachine();
  const figures = await runBenchmarks(BENCHMARKS, quick);
  process.stdout.write(`${formatTable(figures)}\n`);
  const file = writeResults(REPO_ROOT, figures, { startedAt, quick, machine });
  process.stderr.write(`results written to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
