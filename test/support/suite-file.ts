import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a suite for `dtf run` as `<dir>/<name>.json` and returns its path. */
export function writeSuiteFile(
  dir: string,
  suite: { name: string; [field: string]: unknown },
): string {
  const file = join(dir, `${suite.name}.json`);
  writeFileSync(file, JSON.stringify(suite));
  return file;
}
