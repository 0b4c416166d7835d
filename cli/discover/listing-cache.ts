import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { glob } from 'tinyglobby';
import { z } from 'zod';
import type { VitestProject } from '../../protocol/index.js';

/**
 * What `vitest list` answered for a project, kept until anything it could depend on changes:
 * listing costs a vitest start (half a second or more), run after run, for the same answer.
 * The key holds the path of every source file in the project (one added, moved or removed
 * changes it; reports and databases, which runs write, do not), the
 * contents of every vitest, vite and package config from the project up to the root (vitest
 * looks upwards for its config), the project's arguments and environment, and the values of
 * the environment variables those configs read.
 */

const CONFIG_FILE =
  /^(vitest|vite)\.(config|workspace)\.[cm]?[jt]s$|^vitest\.projects?\.|^package\.json$|^tsconfig\.json$/;
const ENV_READ = /(?:process\.env|import\.meta\.env)\.([A-Za-z_][A-Za-z0-9_]*)/g;
const SOURCE_EXTENSIONS = '{js,mjs,cjs,jsx,ts,mts,cts,tsx,vue,svelte,astro}';
/** Bump when what the key holds changes. */
const FORMAT = 1;

const CacheFile = z.object({ key: z.string(), files: z.array(z.string()) });

async function configTexts(dir: string): Promise<Array<[string, string]>> {
  const texts: Array<[string, string]> = [];
  for (let at = dir; ; at = dirname(at)) {
    const names = await readdir(at).catch((): string[] => []);
    for (const name of names.filter((n) => CONFIG_FILE.test(n)).sort()) {
      texts.push([join(at, name), await readFile(join(at, name), 'utf8').catch(() => '')]);
    }
    if (dirname(at) === at) return texts;
  }
}

/** The key of `project`'s listing in `dir` as things stand now. */
export async function listingKey(project: VitestProject, dir: string): Promise<string> {
  const paths = await glob(`**/*.${SOURCE_EXTENSIONS}`, {
    cwd: dir,
    dot: true,
    ignore: ['**/node_modules/**', '**/.git/**'],
  });
  const configs = await configTexts(dir);
  const read = new Set<string>();
  for (const [, text] of configs) for (const match of text.matchAll(ENV_READ)) read.add(match[1]!);
  const env = [...read]
    .sort()
    .map((name) => [name, project.env[name] ?? process.env[name] ?? null]);
  const hash = createHash('sha256');
  hash.update(JSON.stringify([FORMAT, project.args, project.env, env, configs]));
  for (const path of paths.sort()) hash.update(`${path}\n`);
  return hash.digest('hex');
}

/** Where the listing is kept: the project's `node_modules/.cache`, when it has node_modules. */
function cachePath(project: VitestProject, dir: string): string | undefined {
  if (!existsSync(join(dir, 'node_modules'))) return undefined;
  // node_modules may be shared (a link, a workspace): the directory is part of the name.
  const name = createHash('sha256').update(`${dir}\0${project.name}`).digest('hex').slice(0, 16);
  return join(dir, 'node_modules', '.cache', 'dtf', `vitest-files-${name}.json`);
}

/** The files kept under `key`, if the cache holds them. */
export async function cachedListing(
  project: VitestProject,
  dir: string,
  key: string,
): Promise<string[] | undefined> {
  const path = cachePath(project, dir);
  if (path === undefined) return undefined;
  try {
    const kept = CacheFile.parse(JSON.parse(await readFile(path, 'utf8')));
    return kept.key === key ? kept.files : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `files` under `key`; a cache that cannot be written is only slower. */
export async function keepListing(
  project: VitestProject,
  dir: string,
  key: string,
  files: readonly string[],
): Promise<void> {
  const path = cachePath(project, dir);
  if (path === undefined) return;
  try {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}`;
    await writeFile(temp, JSON.stringify({ key, files }));
    await rename(temp, path);
  } catch {
    // read-only node_modules, say: list again next time
  }
}
