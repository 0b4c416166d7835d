import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { NamedSchedulerHooks } from '../../coordinator/scheduler/index.js';
import type { DtfPlugin } from '../../plugins/index.js';
import type { PluginRunner } from '../../worker-core/index.js';
import { ConfigError } from '../config/config-error.js';
import { importDefault } from '../config/import-bundled.js';
import type { Reporter } from '../report/reporters/reporter.js';
import { checkPlugin } from './check-plugin.js';

/** Every loaded plugin's parts, gathered for where each is used. */
export interface LoadedPlugins {
  plugins: readonly DtfPlugin[];
  reporters: Reporter[];
  /** Node runners by name. */
  runners: Map<string, PluginRunner>;
  /** Page runners' modules by runner name, absolute paths. */
  pageRunners: Map<string, string>;
  scheduler: NamedSchedulerHooks[];
}

export const NO_PLUGINS: LoadedPlugins = {
  plugins: [],
  reporters: [],
  runners: new Map(),
  pageRunners: new Map(),
  scheduler: [],
};

/** A plugin module's default export: a plugin, or a function (sync or async) returning one. */
function importPlugin(path: string, baseDir: string): Promise<unknown> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  const shown = relative(process.cwd(), file) || file;
  return importDefault(file, `plugin ${shown}`, 'export default definePlugin({ … })');
}

/** Adds `name` → `value` to `map`, refusing a name another plugin already gave. */
function addOnce<V>(
  map: Map<string, V>,
  owners: Map<string, string>,
  name: string,
  value: V,
  plugin: string,
  what: string,
): void {
  const owner = owners.get(`${what}:${name}`);
  if (owner !== undefined) {
    throw new ConfigError(`plugins '${owner}' and '${plugin}' both give ${what} '${name}'`);
  }
  owners.set(`${what}:${name}`, plugin);
  map.set(name, value);
}

/**
 * The plugins `entries` give: objects as they are, paths (from `baseDir`) imported; each checked
 * (see `checkPlugin`), and no runner given twice. `where` names the source in errors.
 */
export async function loadPlugins(
  entries: readonly unknown[],
  baseDir: string,
  where: string,
): Promise<LoadedPlugins> {
  if (entries.length === 0) return NO_PLUGINS;
  const plugins: DtfPlugin[] = [];
  const loaded: LoadedPlugins = {
    plugins,
    reporters: [],
    runners: new Map(),
    pageRunners: new Map(),
    scheduler: [],
  };
  const owners = new Map<string, string>();
  for (const [index, entry] of entries.entries()) {
    const fromFile = typeof entry === 'string';
    const value = fromFile ? await importPlugin(entry, baseDir) : entry;
    const { plugin, pages } = checkPlugin(
      value,
      fromFile ? `plugin ${entry}` : `${where}: plugins[${index}]`,
    );
    plugins.push(plugin);
    loaded.reporters.push(...(plugin.reporters ?? []));
    for (const [name, runner] of Object.entries(plugin.runners ?? {})) {
      addOnce(loaded.runners, owners, name, runner, plugin.name, 'runner');
    }
    const moduleDir = fromFile ? dirname(resolve(baseDir, entry)) : baseDir;
    for (const [name, module] of Object.entries(pages)) {
      addOnce(
        loaded.pageRunners,
        owners,
        name,
        resolve(moduleDir, module),
        plugin.name,
        'page runner',
      );
    }
    if (plugin.scheduler !== undefined) {
      loaded.scheduler.push({ plugin: plugin.name, hooks: plugin.scheduler });
    }
  }
  return loaded;
}
