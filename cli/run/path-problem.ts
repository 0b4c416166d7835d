import { stat } from 'node:fs/promises';
import { describeError } from '../../client/index.js';

/** Why `path` is not a readable file (or directory), as a phrase; undefined when it is one. */
export async function pathProblem(
  path: string,
  kind: 'file' | 'directory',
): Promise<string | undefined> {
  try {
    const stats = await stat(path);
    const fits = kind === 'file' ? stats.isFile() : stats.isDirectory();
    return fits ? undefined : `is not a ${kind}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : describeError(error);
  }
}
