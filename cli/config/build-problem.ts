import { describeError } from '../../client/index.js';

/**
 * What an esbuild failure says, at its first error's file and line (esbuild names the file as
 * it was given, from its working directory), else at `fallback`: `tests/x.js:2: Expected ";"`.
 */
export function buildProblem(error: unknown, fallback: string): string {
  const first = (
    error as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }
  ).errors?.[0];
  if (first === undefined) return `${fallback}: ${describeError(error)}`;
  const where = first.location == null ? fallback : `${first.location.file}:${first.location.line}`;
  return `${where}: ${first.text}`;
}
