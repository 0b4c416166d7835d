import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { childReaper } from '../../child-processes/index.js';
import type { VitestProject } from '../../protocol/index.js';
import { ConfigError } from '../config/config-error.js';
import { cachedListing, keepListing, listingKey } from './listing-cache.js';

const ListedFiles = z.array(z.object({ file: z.string() }));

/** How long `vitest list` may take: it loads the project's config and globs, nothing more. */
const LIST_TIMEOUT_MS = 120_000;

const toPosix = (path: string) => path.split(sep).join('/');

/** A line naming a few of `files`, and how many more. */
function sample(files: readonly string[]): string {
  const shown = files.slice(0, 5).join(', ');
  return files.length > 5 ? `${shown}, … (${files.length - 5} more)` : shown;
}

/**
 * The test files of a vitest project, relative to its directory, as vitest itself finds them
 * (`vitest list --filesOnly` with the project's arguments: its own config decides), then
 * narrowed by the project's `include` and `exclude`. An include glob that matches none of them
 * is an error, so that a typo never silently runs fewer tests.
 */
export async function vitestFiles(project: VitestProject, dir: string): Promise<string[]> {
  const { findVitest } = await import('../../node-worker/index.js');
  const what = `project '${project.name}'`;
  const vitest = findVitest(dir);
  if (vitest === undefined) {
    throw new ConfigError(
      `${what}: no vitest installed for ${dir} (looked for node_modules/vitest there and in every parent directory)`,
    );
  }
  const key = await listingKey(project, dir);
  const cached = await cachedListing(project, dir, key);
  if (cached !== undefined) return narrow(cached, project, what, dir);
  const listed = await listFiles(project, dir, vitest, what);
  await keepListing(project, dir, key, listed);
  return narrow(listed, project, what, dir);
}

/** What `vitest list --filesOnly` answers in `dir`, relative to it. */
async function listFiles(
  project: VitestProject,
  dir: string,
  vitest: string,
  what: string,
): Promise<string[]> {
  const { runProcess } = await import('../../node-worker/index.js');
  const scratch = await mkdtemp(join(childReaper().scratchDir, 'dtf-list-'));
  try {
    const listFile = join(scratch, 'files.json');
    const args = [vitest, 'list', '--filesOnly', `--json=${listFile}`, ...project.args];
    const outcome = await runProcess(
      {
        command: process.execPath,
        args,
        env: { NO_COLOR: '1', ...project.env },
        cwd: dir,
        shell: false,
        timeoutMs: LIST_TIMEOUT_MS,
      },
      new AbortController().signal,
    );
    const said = outcome.ending === 'exited' ? outcome.output.stderr.trim().slice(-2_000) : '';
    if (outcome.ending !== 'exited' || outcome.output.exitCode !== 0) {
      const how =
        outcome.ending === 'exited'
          ? `exited with code ${outcome.output.exitCode}`
          : outcome.ending.replace('_', ' ');
      throw new ConfigError(
        `${what}: vitest list ${how} in ${dir}${said === '' ? '' : `:\n${said}`}`,
      );
    }
    const listed = ListedFiles.parse(JSON.parse(await readFile(listFile, 'utf8')));
    return [...new Set(listed.map(({ file }) => toPosix(relative(dir, resolve(dir, file)))))];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `files` narrowed by the project's globs; pure. */
export function narrow(
  files: readonly string[],
  project: Pick<VitestProject, 'include' | 'exclude'>,
  what: string,
  dir: string,
): string[] {
  if (files.length === 0) {
    throw new ConfigError(`${what}: vitest finds no test file in ${dir}`);
  }
  const excluded =
    project.exclude.length === 0 ? () => false : picomatch(project.exclude, { dot: true });
  let kept = files.filter((file) => !excluded(file));
  if (project.include !== undefined) {
    for (const glob of project.include) {
      const matches = picomatch(glob, { dot: true });
      if (!kept.some((file) => matches(file))) {
        throw new ConfigError(
          `${what}: include glob '${glob}' matches none of the ${kept.length} test files vitest finds in ${dir} (${sample(kept)})`,
        );
      }
    }
    const included = picomatch(project.include, { dot: true });
    kept = kept.filter((file) => included(file));
  }
  if (kept.length === 0) {
    throw new ConfigError(
      `${what}: exclude leaves none of the ${files.length} test files vitest finds in ${dir}`,
    );
  }
  return kept.sort();
}
