import { basename, dirname, relative, resolve } from 'node:path';
import type { DtfConfig, Suite } from '../../protocol/index.js';
import { CONFIG_FILES, findConfig } from '../config/find-config.js';
import { loadConfig } from '../config/load-config.js';
import { type LoadedPlugins, NO_PLUGINS } from '../plugins/load-plugins.js';
import { UsageError } from '../usage-error.js';
import { configSuite, type Discovered } from './config-suite.js';
import { loadSuite } from './load-suite.js';

/** What `dtf run` runs: a suite file, or a config with the test files it discovered. */
export interface RunSource {
  /** How errors name it: `suite file 'x.json'`, `config 'dtf.config.ts'`. */
  what: string;
  suite: Suite;
  /** Where its relative paths start (reporter modules among them). */
  dir: string;
  /**
   * The config's projects with their test files, found in the background (vitest lists them)
   * while the run connects; an error in them rejects this.
   */
  projects: Promise<Discovered>;
  config?: DtfConfig;
  /** The config's plugins (a suite file has none). */
  plugins: LoadedPlugins;
  /** Bundles the plugin tasks import in the page, to store with the coordinator. */
  modules: Uint8Array[];
}

const isConfigName = (file: string) => basename(file).startsWith('dtf.config.');

/**
 * The suite file given, or the config given (`--config`, or a file named `dtf.config.*`), or
 * else the config in the working directory.
 */
export async function runSource(
  file: string | undefined,
  configFile: string | undefined,
): Promise<RunSource> {
  if (file !== undefined && configFile !== undefined) {
    throw new UsageError('give a suite file or --config, not both');
  }
  if (file !== undefined && !isConfigName(file)) {
    return {
      what: `suite file '${file}'`,
      suite: await loadSuite(file),
      dir: dirname(resolve(file)),
      projects: Promise.resolve({ vitest: [], pages: [] }),
      plugins: NO_PLUGINS,
      modules: [],
    };
  }
  const path = configFile ?? file ?? findConfig(process.cwd());
  if (path === undefined) {
    throw new UsageError(
      `no suite file given and no config in ${process.cwd()} (${CONFIG_FILES.join(', ')}): \`dtf init\` writes one`,
    );
  }
  const loaded = await loadConfig(path);
  const { suite, projects, plugins, modules } = await configSuite(loaded);
  return {
    what: `config '${relative(process.cwd(), loaded.file) || loaded.file}'`,
    suite,
    dir: loaded.dir,
    projects,
    config: loaded.config,
    plugins,
    modules,
  };
}
