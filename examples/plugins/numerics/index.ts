import { type DtfPlugin, definePlugin, type TaskEvent } from 'dtf';
import numericsRunner from './runner.js';

/** A numerics task's output, as the runner returns it. */
interface NumericsOutput {
  engine: string;
  errors: Record<string, number>;
}

function numericsOutput(event: TaskEvent): NumericsOutput | undefined {
  const output = event.result?.output;
  if (output?.kind !== 'plugin' || output.runner !== 'numerics') return undefined;
  return output.output as NumericsOutput | undefined;
}

/** A short name for a user agent or Node version: `Chrome 141`, `Firefox 140`, `Node 22.1.0`. */
function shortEngine(engine: string): string {
  const browser = /(Firefox|Chrome|HeadlessChrome|Safari)\/(\d+)/.exec(engine);
  return browser === null ? engine : `${browser[1]!.replace('Headless', '')} ${browser[2]}`;
}

/**
 * `numerics`: a task kind that checks float32 ML kernels (softmax, GELU, layer norm,
 * log-sum-exp) against a float64 reference on Node workers and in browsers, and prints how far
 * each engine strays once the run ends. Workers labelled `numerics=off` never get its tasks
 * (kept free for timing runs), and those labelled `numerics=preferred` get them first.
 */
export default function numerics(): DtfPlugin {
  const seen = new Map<string, Record<string, number>>();
  return definePlugin({
    name: 'numerics',
    runners: { numerics: numericsRunner },
    pageRunners: { numerics: new URL('./runner.ts', import.meta.url) },
    scheduler: {
      filter: (task, worker) => task.spec.kind !== 'plugin' || worker.labels.numerics !== 'off',
      score: (task, worker) =>
        task.spec.kind === 'plugin' && worker.labels.numerics === 'preferred' ? 1 : 0,
    },
    onTaskEnd(event) {
      const output = numericsOutput(event);
      if (output === undefined) return;
      // The largest error each engine showed in any of its tasks.
      const engine = shortEngine(output.engine);
      const worst = seen.get(engine) ?? {};
      for (const [kernel, error] of Object.entries(output.errors)) {
        worst[kernel] = Math.max(worst[kernel] ?? 0, error);
      }
      seen.set(engine, worst);
    },
    onRunEnd() {
      if (seen.size === 0) return;
      const kernels = [...new Set([...seen.values()].flatMap((errors) => Object.keys(errors)))];
      const rows = [...seen].map(([engine, errors]) =>
        [
          engine.padEnd(16),
          ...kernels.map((k) => (errors[k]?.toExponential(2) ?? '-').padStart(10)),
        ].join(' '),
      );
      const header = ['largest error'.padEnd(16), ...kernels.map((k) => k.padStart(10))].join(' ');
      process.stderr.write(`numerics:\n${[header, ...rows].join('\n')}\n`);
    },
  });
}
