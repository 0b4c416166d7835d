import { dirname, isAbsolute, resolve } from 'node:path';
import { parseWith, Suite, type TaskSpec } from '../../protocol/index.js';
import { readJsonFile } from '../specs/json-file.js';

/** Reads and validates a suite file, with task and model paths made absolute from its directory. */
export async function loadSuite(path: string): Promise<Suite> {
  const what = `suite file '${path}'`;
  const parsed = parseWith(Suite, await readJsonFile(path, what), what);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return withSuitePaths(parsed.message, dirname(resolve(path)));
}

/** The suite with its task and model paths made absolute from `base`. */
export function withSuitePaths(suite: Suite, base: string): Suite {
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const modelPath = (m: string) => (m.endsWith('.onnx') ? absolute(m) : m);
  const { matrix: given } = suite;
  const matrix =
    given === undefined
      ? undefined
      : {
          ...given,
          models: given.models.map(modelPath),
          ...(given.sharding?.models === undefined
            ? {}
            : { sharding: { ...given.sharding, models: given.sharding.models.map(modelPath) } }),
        };
  return { ...suite, matrix, tasks: suite.tasks.map((task) => withAbsolutePaths(task, absolute)) };
}

function withAbsolutePaths(task: TaskSpec, absolute: (path: string) => string): TaskSpec {
  switch (task.kind) {
    case 'command':
      return task.payload.cwd === undefined
        ? task
        : { ...task, payload: { ...task.payload, cwd: absolute(task.payload.cwd) } };
    case 'vitest':
      return { ...task, payload: { ...task.payload, dir: absolute(task.payload.dir) } };
    default:
      return task;
  }
}
