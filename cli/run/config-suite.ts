import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { DtfConfig, ModelMatrix, Suite } from '../../protocol/index.js';
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load-config.js';
import { type DiscoveredPageTests, discoverPageTests } from '../discover/page-tests.js';
import type { DiscoveredProject } from '../discover/split-files.js';
import { vitestFiles } from '../discover/vitest-files.js';
import { type LoadedPlugins, loadPlugins } from '../plugins/load-plugins.js';
import { withPageRunnerModules } from '../plugins/page-runner-modules.js';
import { withSuitePaths } from './load-suite.js';

/** The test files a config's projects found: vitest's to split, page tests bundled. */
export interface Discovered {
  vitest: DiscoveredProject[];
  pages: DiscoveredPageTests[];
}

/** A config made ready to run: the suite it names so far and the test files it discovered. */
export interface ConfigSuite {
  /** Its tasks are those the config lists; the projects' tasks are made once the slots are known. */
  suite: Suite;
  /** Discovery, under way: awaited once the run needs the files. */
  projects: Promise<Discovered>;
  plugins: LoadedPlugins;
  /** The page runners' bundles the plugin tasks import, to store with the coordinator. */
  modules: Uint8Array[];
}

/** The config's name, else its package.json's, else its directory's. */
async function suiteName(config: DtfConfig, dir: string): Promise<string> {
  if (config.name !== undefined) return config.name;
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
    };
    if (typeof manifest.name === 'string' && manifest.name !== '') return manifest.name;
  } catch {
    // no package.json: the directory names it
  }
  return basename(dir);
}

/** The matrix with each glob among its models replaced by the `.onnx` files it matches. */
async function expandModels(matrix: ModelMatrix, dir: string): Promise<ModelMatrix> {
  const models: string[] = [];
  for (const entry of matrix.models) {
    if (!isDynamicPattern(entry)) {
      models.push(entry);
      continue;
    }
    const found = (
      await glob(entry, { cwd: dir, onlyFiles: true, ignore: ['**/node_modules/**'] })
    ).filter((f) => f.endsWith('.onnx'));
    if (found.length === 0) {
      throw new ConfigError(`matrix.models: glob '${entry}' matches no .onnx file in ${dir}`);
    }
    models.push(...found.sort());
  }
  return { ...matrix, models };
}

async function discover(config: DtfConfig, dir: string): Promise<Discovered> {
  const names = new Set<string>();
  for (const { name } of config.projects) {
    if (names.has(name)) throw new ConfigError(`projects: two projects are named '${name}'`);
    names.add(name);
  }
  const vitest = config.projects.flatMap((p) => (p.runner === 'vitest' ? [p] : []));
  const pages = config.projects.flatMap((p) => (p.runner === 'page-test' ? [p] : []));
  return {
    vitest: await Promise.all(
      vitest.map(async (project) => {
        const projectDir = resolve(dir, project.dir);
        const files = await vitestFiles(project, projectDir);
        const sized = await Promise.all(
          files.map(async (file) => ({ file, bytes: (await stat(join(projectDir, file))).size })),
        );
        return { project, dir: projectDir, files: sized };
      }),
    ),
    pages: await Promise.all(
      pages.map((project) => discoverPageTests(project, resolve(dir, project.dir))),
    ),
  };
}

/** What a config runs, its globs expanded and its paths made absolute. */
export async function configSuite({ config, dir }: LoadedConfig): Promise<ConfigSuite> {
  const matrix = config.matrix === undefined ? undefined : await expandModels(config.matrix, dir);
  const suite: Suite = { name: await suiteName(config, dir), tasks: config.tasks };
  if (matrix !== undefined) suite.matrix = matrix;
  if (config.pool !== undefined) suite.pool = config.pool;
  if (config.reporters !== undefined) suite.reporters = config.reporters;
  const projects = discover(config, dir);
  // Awaited later; until then a failure must not count as unhandled.
  projects.catch(() => undefined);
  const plugins = await loadPlugins(config.plugins, dir, 'config');
  const tasks = [...suite.tasks];
  const modules = await withPageRunnerModules(tasks, plugins.pageRunners);
  return { suite: withSuitePaths({ ...suite, tasks }, dir), projects, plugins, modules };
}
