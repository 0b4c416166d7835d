import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeError } from '../../client/index.js';
import { DtfConfig } from '../../protocol/index.js';
import { UsageError } from '../usage-error.js';
import { buildProblem } from './build-problem.js';
import { describeConfigIssues, lineAt } from './config-issues.js';

export interface LoadedConfig {
  /** The config file, absolute. */
  file: string;
  /** Its directory: where its relative paths start. */
  dir: string;
  config: DtfConfig;
}

/** A config that cannot be used as written; exits with status 2 like any bad command line. */
export class ConfigError extends UsageError {}

/** Where `import … from 'dtf'` in a config leads: the DTF that runs it, whatever is installed. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OWN_ENTRIES: Record<string, string> = {
  dtf: join(PACKAGE_ROOT, 'index.js'),
  'dtf/client': join(PACKAGE_ROOT, 'client', 'index.js'),
  'dtf/protocol': join(PACKAGE_ROOT, 'protocol', 'index.js'),
};

/** A config file's value: JSON parsed, or a module's default export once esbuild bundled it. */
async function evaluate(file: string, source: string, shown: string): Promise<unknown> {
  if (extname(file) === '.json') {
    try {
      return JSON.parse(source);
    } catch (error) {
      const position = /position (\d+)/.exec(describeError(error))?.[1];
      const where = position === undefined ? shown : `${shown}:${lineAt(source, Number(position))}`;
      throw new ConfigError(`${where}: not valid JSON: ${describeError(error)}`);
    }
  }
  const { build } = await import('esbuild');
  let code: string;
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Its dependencies are imported from where the config is, as the project imports them.
      packages: 'external',
      logLevel: 'silent',
      plugins: [
        {
          name: 'dtf-itself',
          setup(b) {
            b.onResolve({ filter: /^dtf(\/(client|protocol))?$/ }, ({ path }) => ({
              path: OWN_ENTRIES[path]!,
              external: true,
            }));
          },
        },
      ],
    });
    code = result.outputFiles[0]!.text;
  } catch (error) {
    throw new ConfigError(buildProblem(error, shown));
  }
  // Beside the config, so that the packages it imports resolve from the project.
  const bundled = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.mjs`);
  await writeFile(bundled, code);
  try {
    const module = (await import(pathToFileURL(bundled).href)) as { default?: unknown };
    if (module.default === undefined) {
      throw new ConfigError(`${shown}: has no default export (export default defineConfig({ … }))`);
    }
    return await module.default;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${shown}: failed while it ran: ${describeError(error)}`);
  } finally {
    await rm(bundled, { force: true });
  }
}

/**
 * Reads, runs (a `.ts` or `.js` config is bundled by esbuild and imported) and checks a config
 * file. Every problem is named with the file and, where the source writes it, the line.
 */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  const shown = relative(process.cwd(), file) || file;
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(error);
    throw new ConfigError(`cannot read config file '${shown}': ${reason}`);
  }
  const value = await evaluate(file, source, shown);
  const parsed = DtfConfig.safeParse(value);
  if (!parsed.success) {
    const lines = describeConfigIssues(parsed.error.issues, shown, source);
    throw new ConfigError(`invalid config:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  }
  return { file, dir: dirname(file), config: parsed.data };
}
