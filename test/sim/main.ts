// The simulation outside vitest, for many seeds on every core: `npm run sim -- --seeds 100000`
// (scripts/sim.mjs bundles this file and calls main). `--seed N` runs one seed with a trace.
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { DEFAULT_STEPS, runSeed, SimFailure } from './simulation.js';

interface Args {
  from: number;
  seeds: number;
  seed: number | null;
  steps: number;
  jobs: number;
}

interface Chunk {
  lo: number;
  hi: number;
  steps: number;
}

interface ChunkDone {
  done: number;
  failures: { seed: number; message: string }[];
}

const USAGE = `usage: npm run sim -- [--seeds N] [--from S] [--steps N] [--jobs N] | --seed N [--steps N]
  --seeds N   how many seeds to run (default 1000), starting at --from (default 1)
  --seed N    run one seed and print its trace on failure
  --steps N   fault-injection steps per seed (default ${DEFAULT_STEPS})
  --jobs N    worker threads (default: one per core)`;

function parseArgs(argv: string[]): Args {
  const args: Args = {
    from: 1,
    seeds: 1000,
    seed: null,
    steps: DEFAULT_STEPS,
    jobs: availableParallelism(),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = Number(argv[i + 1]);
    if (!['--seeds', '--from', '--seed', '--steps', '--jobs'].includes(flag)) {
      throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`${flag} needs a whole number, got ${argv[i + 1]}\n${USAGE}`);
    }
    i++;
    if (flag === '--seeds') args.seeds = value;
    else if (flag === '--from') args.from = value;
    else if (flag === '--seed') args.seed = value;
    else if (flag === '--steps') args.steps = value;
    else args.jobs = Math.max(1, value);
  }
  return args;
}

function runChunk(chunk: Chunk): ChunkDone {
  const failures: ChunkDone['failures'] = [];
  for (let seed = chunk.lo; seed <= chunk.hi; seed++) {
    try {
      runSeed({ seed, steps: chunk.steps });
    } catch (err) {
      if (!(err instanceof SimFailure)) throw err;
      failures.push({ seed, message: err.message });
    }
  }
  return { done: chunk.hi - chunk.lo + 1, failures };
}

function runOne(seed: number, steps: number): number {
  try {
    const result = runSeed({ seed, steps, trace: true });
    console.log(`seed ${seed} passed: ${JSON.stringify(result)}`);
    return 0;
  } catch (err) {
    if (!(err instanceof SimFailure)) throw err;
    console.error(err.message);
    return 1;
  }
}

async function runMany(args: Args): Promise<number> {
  const last = args.from + args.seeds - 1;
  const chunkSize = Math.max(1, Math.min(50, Math.ceil(args.seeds / (args.jobs * 8))));
  let next = args.from;
  let done = 0;
  const failures: ChunkDone['failures'] = [];
  const started = Date.now();
  let lastReport = started;
  const report = () => {
    const seconds = (Date.now() - started) / 1000;
    const rate = Math.round(done / Math.max(seconds, 0.001));
    console.log(
      `sim: ${done}/${args.seeds} seeds, ${failures.length} failed, ${rate} seeds/s, ${seconds.toFixed(0)} s`,
    );
  };
  console.log(
    `sim: seeds ${args.from}-${last}, ${args.steps} steps each, ${args.jobs} worker threads`,
  );
  const workers = Array.from({ length: Math.min(args.jobs, args.seeds) }, () => {
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url));
      const feed = () => {
        if (next > last) {
          void worker.terminate().then(() => resolve());
          return;
        }
        const chunk: Chunk = {
          lo: next,
          hi: Math.min(last, next + chunkSize - 1),
          steps: args.steps,
        };
        next = chunk.hi + 1;
        worker.postMessage(chunk);
      };
      worker.on('message', (result: ChunkDone) => {
        done += result.done;
        for (const f of result.failures) {
          failures.push(f);
          console.log(f.message);
        }
        if (Date.now() - lastReport >= 5000) {
          lastReport = Date.now();
          report();
        }
        feed();
      });
      worker.on('error', reject);
      feed();
    });
  });
  await Promise.all(workers);
  report();
  if (failures.length === 0) return 0;
  failures.sort((a, b) => a.seed - b.seed);
  console.log(`failed seeds: ${failures.map((f) => f.seed).join(' ')}`);
  console.log(`rerun one with its trace: npm run sim -- --seed ${failures[0]!.seed}`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  if (args.seed !== null) return runOne(args.seed, args.steps);
  return runMany(args);
}

if (!isMainThread) {
  parentPort!.on('message', (chunk: Chunk) => parentPort!.postMessage(runChunk(chunk)));
}
