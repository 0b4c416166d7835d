import { readJsonFile } from './json-file.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The raw task specs in a JSON file holding one spec object or an array of them. */
export async function readTaskFile(path: string): Promise<Record<string, unknown>[]> {
  const content = await readJsonFile(path, `tasks file '${path}'`);
  const specs = Array.isArray(content) ? content : [content];
  if (specs.length === 0) throw new Error(`tasks file '${path}' holds no tasks`);
  const index = specs.findIndex((spec) => !isRecord(spec));
  if (index !== -1) {
    const where = Array.isArray(content) ? `task [${index}] is` : 'it holds';
    throw new Error(
      `tasks file '${path}' must hold a task spec object or an array of them, but ${where} ${kindOf(specs[index])}`,
    );
  }
  return specs as Record<string, unknown>[];
}
