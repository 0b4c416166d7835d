import { relative } from 'node:path';
import { glob } from 'tinyglobby';
import type { PageTestProject, ShardSpec, TaskSpecInput } from '../../protocol/index.js';
import { buildProblem } from '../config/build-problem.js';
import { ConfigError } from '../config/config-error.js';
import { bundleForBrowser, pageModulePath } from './browser-bundle.js';

/** A page test bundled for the browser: its file, relative to its project's dir, and the code. */
export interface BundledPageTest {
  file: string;
  code: Uint8Array;
}

export interface DiscoveredPageTests {
  project: PageTestProject;
  dir: string;
  bundles: BundledPageTest[];
}

/** The files a project's globs match, each glob at least one; relative to `dir`, sorted. */
async function pageTestFiles(project: PageTestProject, dir: string): Promise<string[]> {
  const what = `project '${project.name}'`;
  const found = new Set<string>();
  for (const pattern of project.include) {
    const matched = await glob(pattern, {
      cwd: dir,
      ignore: ['**/node_modules/**', ...project.exclude],
      onlyFiles: true,
    });
    if (matched.length === 0) {
      throw new ConfigError(`${what}: include glob '${pattern}' matches no file in ${dir}`);
    }
    for (const file of matched) found.add(file);
  }
  return [...found].sort();
}

/**
 * A page-test project's files, each bundled by esbuild into one ES module for the browser (its
 * imports, from the project's node_modules included), so that the coordinator can serve it and
 * no test needs a URL of its own. A file that does not build is named with its line.
 */
export async function discoverPageTests(
  project: PageTestProject,
  dir: string,
): Promise<DiscoveredPageTests> {
  const files = await pageTestFiles(project, dir);
  const bundles: BundledPageTest[] = [];
  for (const file of files) {
    try {
      bundles.push({ file, code: await bundleForBrowser(file, dir) });
    } catch (error) {
      const shown = `${relative(process.cwd(), dir) || '.'}/${file}`;
      throw new ConfigError(`project '${project.name}': ${buildProblem(error, shown)}`);
    }
  }
  return { project, dir, bundles };
}

/**
 * One `page-test` task a file and browser, each importing its bundle from the coordinator by its
 * hash; with a shard, the files whose place in the list falls to this job.
 */
export function pageTestTasks(
  discovered: readonly DiscoveredPageTests[],
  shard: ShardSpec | undefined,
): TaskSpecInput[] {
  const tasks: TaskSpecInput[] = [];
  let index = 0;
  for (const { project, bundles } of discovered) {
    for (const bundle of bundles) {
      const mine = shard === undefined || index % shard.total === shard.current - 1;
      index += 1;
      if (!mine) continue;
      for (const browser of project.browsers) {
        tasks.push({
          kind: 'page-test',
          name: `${project.name} ${bundle.file} (${browser})`,
          payload: { module: pageModulePath(bundle.code) },
          requirements: { browser },
        });
      }
    }
  }
  return tasks;
}
