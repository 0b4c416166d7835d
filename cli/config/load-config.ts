import { readFile } from 'node:fs/promises';
import { dirname, extname, relative, resolve } from 'node:path';
import { describeError } from '../../client/index.js';
import { DtfConfig } from '../../protocol/index.js';
import { ConfigError } from './config-error.js';
import { describeConfigIssues, lineAt } from './config-issues.js';
import { importBundled } from './import-bundled.js';

export interface LoadedConfig {
  /** The config file, absolute. */
  file: string;
  /** Its directory: where its relative paths start. */
  dir: string;
  config: DtfConfig;
}

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
  const module = await importBundled(file, shown);
  if (module.default === undefined) {
    throw new ConfigError(`${shown}: has no default export (export default defineConfig({ … }))`);
  }
  try {
    return await module.default;
  } catch (error) {
    throw new ConfigError(`${shown}: failed while it ran: ${describeError(error)}`);
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
