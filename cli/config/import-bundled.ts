import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Loader, Plugin } from 'esbuild';
import { describeError } from '../../client/index.js';
import { buildProblem } from './build-problem.js';
import { ConfigError } from './config-error.js';

/** Where `import … from 'dtf'` leads: the DTF that runs it, whatever is installed. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OWN_ENTRIES: Record<string, string> = {
  dtf: join(PACKAGE_ROOT, 'index.js'),
  'dtf/client': join(PACKAGE_ROOT, 'client', 'index.js'),
  'dtf/protocol': join(PACKAGE_ROOT, 'protocol', 'index.js'),
};

const dtfItself: Plugin = {
  name: 'dtf-itself',
  setup(b) {
    b.onResolve({ filter: /^dtf(\/(client|protocol))?$/ }, ({ path }) => ({
      path: OWN_ENTRIES[path]!,
      external: true,
    }));
  },
};

const FILE_URL = '__dtf_import_meta_url';
const LOADERS: Record<string, Loader> = {
  ts: 'ts',
  mts: 'ts',
  cts: 'ts',
  tsx: 'tsx',
  jsx: 'jsx',
  js: 'js',
  mjs: 'js',
  cjs: 'js',
};

/**
 * Each bundled file keeps its own `import.meta.url`, not the bundle's: a plugin finds the files
 * beside it (its page runner) as it would unbundled.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const declared = `const ${FILE_URL} = ${JSON.stringify(pathToFileURL(path).href)};`;
      // On the first line of code, so that errors keep their line numbers.
      const at = source.startsWith('#!') ? source.indexOf('\n') + 1 : 0;
      const contents = `${source.slice(0, at)}${declared}${source.slice(at)}`;
      return { contents, loader: LOADERS[extname(path).slice(1)] };
    });
  },
};

/**
 * Imports a TypeScript or JavaScript module of the user's (a config, a plugin): bundled by
 * esbuild, its packages imported from where it is as the project imports them, `dtf` meaning
 * this DTF. A build problem or a throw while it loads is a `ConfigError` naming `shown`.
 */
export async function importBundled(file: string, shown: string): Promise<{ default?: unknown }> {
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
      packages: 'external',
      logLevel: 'silent',
      define: { 'import.meta.url': FILE_URL },
      plugins: [dtfItself, ownImportMetaUrl],
    });
    code = result.outputFiles[0]!.text;
  } catch (error) {
    throw new ConfigError(buildProblem(error, shown));
  }
  // Beside the file, so that the packages it imports resolve from the project.
  const bundled = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.mjs`);
  await writeFile(bundled, code);
  try {
    return (await import(pathToFileURL(bundled).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError(`${shown}: failed while it ran: ${describeError(error)}`);
  } finally {
    await rm(bundled, { force: true });
  }
}

/**
 * What a user's module (a plugin, a reporter) gives: its default export, or what that returns
 * when it is a function (sync or async). `hint` says what the default export should be.
 */
export async function importDefault(file: string, shown: string, hint: string): Promise<unknown> {
  const module = await importBundled(file, shown);
  const exported = module.default;
  if (exported === undefined) throw new ConfigError(`${shown}: has no default export (${hint})`);
  return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
}
