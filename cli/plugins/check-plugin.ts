import { fileURLToPath } from 'node:url';
import type { DtfPlugin } from '../../plugins/index.js';
import { PluginRunnerName } from '../../protocol/index.js';
import { isPluginRunner } from '../../worker-core/index.js';
import { ConfigError } from '../config/config-error.js';
import { isReporter } from '../report/reporters/resolve.js';

const KEYS = new Set([
  'name',
  'reporters',
  'runners',
  'pageRunners',
  'scheduler',
  'onRunStart',
  'onTaskEnd',
  'onRunEnd',
]);
const HOOKS = ['onRunStart', 'onTaskEnd', 'onRunEnd'] as const;
const SCHEDULER_HOOKS = new Set(['filter', 'score']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each key of a record of runners, checked as a runner's name. */
function checkRunnerNames(record: Record<string, unknown>, where: string): void {
  for (const name of Object.keys(record)) {
    const checked = PluginRunnerName.safeParse(name);
    if (!checked.success) {
      throw new ConfigError(`${where}: runner name '${name}': ${checked.error.issues[0]!.message}`);
    }
  }
}

/** A page runner's module as a path: a string as it is, a `file:` URL as its path. */
function modulePath(value: unknown, where: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  if (value instanceof URL && value.protocol === 'file:') return fileURLToPath(value);
  throw new ConfigError(`${where}: expected the path or file: URL of a module`);
}

export interface CheckedPlugin {
  plugin: DtfPlugin;
  /** Its page runners' modules by runner name, as paths (relative ones as given). */
  pages: Record<string, string>;
}

/**
 * `value` as a plugin, or a `ConfigError` naming what is wrong in it, from `where` (the config,
 * or the module it came from): a misspelt hook is named, not ignored.
 */
export function checkPlugin(value: unknown, where: string): CheckedPlugin {
  if (!isObject(value) || typeof value.name !== 'string' || value.name.length === 0) {
    throw new ConfigError(
      `${where}: a plugin is an object with a name: definePlugin({ name: 'my-plugin', … })`,
    );
  }
  const at = `${where}: plugin '${value.name}'`;
  for (const key of Object.keys(value)) {
    if (!KEYS.has(key)) {
      throw new ConfigError(`${at}: unknown option '${key}' (${[...KEYS].join(', ')})`);
    }
  }
  const { reporters, runners, pageRunners, scheduler } = value;
  if (reporters !== undefined && (!Array.isArray(reporters) || !reporters.every(isReporter))) {
    throw new ConfigError(`${at}: reporters: expected reporters, objects with onRunEnd(report)`);
  }
  if (runners !== undefined) {
    if (!isObject(runners)) throw new ConfigError(`${at}: runners: expected { name: runner }`);
    checkRunnerNames(runners, `${at}: runners`);
    for (const [name, runner] of Object.entries(runners)) {
      if (!isPluginRunner(runner)) {
        throw new ConfigError(
          `${at}: runners.${name}: expected an object with run(input, context)`,
        );
      }
    }
  }
  const pages: Record<string, string> = {};
  if (pageRunners !== undefined) {
    if (!isObject(pageRunners)) {
      throw new ConfigError(`${at}: pageRunners: expected { name: module path }`);
    }
    checkRunnerNames(pageRunners, `${at}: pageRunners`);
    for (const [name, module] of Object.entries(pageRunners)) {
      pages[name] = modulePath(module, `${at}: pageRunners.${name}`);
    }
  }
  if (scheduler !== undefined) {
    if (!isObject(scheduler)) throw new ConfigError(`${at}: scheduler: expected { filter, score }`);
    for (const [key, hook] of Object.entries(scheduler)) {
      if (!SCHEDULER_HOOKS.has(key) || typeof hook !== 'function') {
        throw new ConfigError(`${at}: scheduler.${key}: expected filter or score functions`);
      }
    }
  }
  for (const hook of HOOKS) {
    if (value[hook] !== undefined && typeof value[hook] !== 'function') {
      throw new ConfigError(`${at}: ${hook}: expected a function`);
    }
  }
  return { plugin: value as unknown as DtfPlugin, pages };
}
