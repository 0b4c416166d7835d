import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function versionIn(manifestFile: string): string | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const { name, version } = manifest as { name?: unknown; version?: unknown };
  return name === 'dtf' && typeof version === 'string' ? version : undefined;
}

/** DTF's version, from its package.json: the first above this file (in dist/ or the sources). */
export function packageVersion(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const version = versionIn(join(dir, 'package.json'));
    if (version !== undefined) return version;
    if (dirname(dir) === dir) throw new Error(`no package.json of dtf above ${start}`);
  }
}
