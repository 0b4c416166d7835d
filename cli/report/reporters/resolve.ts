import { isAbsolute, resolve } from 'node:path';
import { importDefault } from '../../config/import-bundled.js';
import { UsageError } from '../../usage-error.js';
import { BUILTIN_REPORTERS } from './builtin.js';
import type { Reporter } from './reporter.js';

/** A module path rather than a built-in name: it has a slash or a script's extension. */
const isModulePath = (name: string) => /[\\/]/.test(name) || /\.[cm]?[jt]s$/.test(name);

export function isReporter(value: unknown): value is Reporter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { onRunEnd?: unknown }).onRunEnd === 'function'
  );
}

const REPORTER_EXPORT =
  'its default export must be an object with onRunEnd(report, context), or a function that returns one';

/** A user's reporter module (TypeScript or JavaScript), loaded as a plugin is. */
async function loadReporterModule(path: string, baseDir: string): Promise<Reporter> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  const shown = `--reporter ${path}`;
  const reporter = await importDefault(file, shown, REPORTER_EXPORT);
  if (!isReporter(reporter))
    throw new UsageError(`${shown}: ${file} exports no reporter: ${REPORTER_EXPORT}`);
  const name = typeof reporter.name === 'string' ? reporter.name : path;
  return { name, onRunEnd: (report, context) => reporter.onRunEnd(report, context) };
}

/**
 * The reporters `names` select, built-in by name (`list`, `json`, `junit`, `markdown`) or a
 * module by its path (from `baseDir`); a usage error naming the choices for any other name.
 */
export async function resolveReporters(
  names: readonly string[],
  baseDir: string,
): Promise<Reporter[]> {
  const reporters: Reporter[] = [];
  for (const name of new Set(names)) {
    const builtin = BUILTIN_REPORTERS[name];
    if (builtin !== undefined) reporters.push(builtin());
    else if (isModulePath(name)) reporters.push(await loadReporterModule(name, baseDir));
    else {
      throw new UsageError(
        `unknown reporter '${name}': one of ${Object.keys(BUILTIN_REPORTERS).join(', ')}, or the path of a module of your own (./my-reporter.js)`,
      );
    }
  }
  return reporters;
}
