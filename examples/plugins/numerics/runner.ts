import type { PluginRunner, PluginTest } from 'dtf';
import { inputs, KERNELS, type KernelName, maxError } from './kernels.js';

/** What a `numerics` task is given. */
export interface NumericsInput {
  /** The kernels to check; default all. */
  kernels?: KernelName[];
  /** Inputs each (default 4096). */
  size?: number;
  seed?: number;
  /** The largest difference from the float64 reference that passes (default 1e-5). */
  tolerance?: number;
}

/** Where it ran: the browser's user agent in the page, Node's version on a Node worker. */
const engine = () =>
  (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ??
  `Node ${globalThis.process?.versions.node}`;

/**
 * Checks float32 kernels against their float64 reference on whatever engine runs it: the same
 * module is the Node runner and, bundled, the page's.
 */
const numerics: PluginRunner<NumericsInput | undefined> = {
  run(input = {}) {
    const names = input.kernels ?? (Object.keys(KERNELS) as KernelName[]);
    const size = input.size ?? 4096;
    const tolerance = input.tolerance ?? 1e-5;
    const xs = inputs(size, input.seed ?? 1);
    const errors: Record<string, number> = {};
    const tests: PluginTest[] = names.map((name) => {
      const started = performance.now();
      if (!(name in KERNELS)) return { name, status: 'failed', error: `no kernel '${name}'` };
      const error = maxError(name, xs);
      errors[name] = error;
      const durationMs = performance.now() - started;
      if (error <= tolerance) return { name, status: 'passed', durationMs };
      const why = `max error ${error.toExponential(2)} above the tolerance ${tolerance}`;
      return { name, status: 'failed', durationMs, error: why };
    });
    return { tests, output: { engine: engine(), size, errors } };
  },
};

export default numerics;
