import { createHash } from 'node:crypto';
import { uploadArtifact } from '../../client/index.js';
import { PAGE_MODULES_PATH } from '../../protocol/index.js';

/**
 * `file` (from `dir`) bundled by esbuild into one ES module for the browser, its imports from
 * the project's node_modules included. Throws esbuild's error when it does not build.
 */
export async function bundleForBrowser(file: string, dir: string): Promise<Uint8Array> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [file],
    absWorkingDir: dir,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

/** Where the coordinator serves a bundle once it is stored: by the hash of its code. */
export function pageModulePath(code: Uint8Array): string {
  return `${PAGE_MODULES_PATH}/${createHash('sha256').update(code).digest('hex')}.js`;
}

/** Stores each bundle with the coordinator (once each), which serves them to the pages. */
export async function storeBundles(
  codes: readonly Uint8Array[],
  baseHttpUrl: string,
  token: string | undefined,
): Promise<void> {
  const unique = new Map(codes.map((code) => [pageModulePath(code), code]));
  for (const code of unique.values()) await uploadArtifact(baseHttpUrl, code, token);
}
