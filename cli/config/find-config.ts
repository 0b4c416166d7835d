import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The names `dtf run` looks for, in this order, in the directory it runs in. */
export const CONFIG_FILES = [
  'dtf.config.ts',
  'dtf.config.mts',
  'dtf.config.js',
  'dtf.config.mjs',
  'dtf.config.json',
] as const;

/** The config file in `dir`, if it has one. */
export function findConfig(dir: string): string | undefined {
  return CONFIG_FILES.map((name) => join(dir, name)).find((file) => existsSync(file));
}
