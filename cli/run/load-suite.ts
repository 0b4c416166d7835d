import { dirname, isAbsolute, resolve } from 'node:path';
import { parseWith, Suite, type TaskSpec } from '../../protocol/index.js';
import { readJsonFile } from '../specs/json-file.js';

/** Reads and validates a suite file, with task paths made absolute from the file's directory. */
export async function loadSuite(path: string): Promise<Suite> {
  const what = `suite file '${path}'`;
  const parsed = parseWith(Suite, await readJsonFile(path, what), what);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const base = dirname(resolve(path));
  return {
    ...parsed.message,
    tasks: parsed.message.tasks.map((task) => withAbsolutePaths(task, base)),
  };
}

function withAbsolutePaths(task: TaskSpec, base: string): TaskSpec {
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
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
