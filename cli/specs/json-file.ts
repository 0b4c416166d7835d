import { readFile } from 'node:fs/promises';
import { describeError } from '../../client/index.js';

/** Parsed JSON of a file; errors name the file (`what`, e.g. `tasks file 'x.json'`) and the problem. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(error);
    throw new Error(`cannot read ${what}: ${reason}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${describeError(error)}`);
  }
}
