import type { z } from 'zod';

/** `projects[0].include` for a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** 1-based line of `offset` in `source`. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The line where a config's source most likely writes the value at `path`: each named key
 * looked for after the one before it (`key:`, `"key":` or `'key':`). Array indices are not
 * looked for, so a path through a list finds the first such key after the list's start.
 * Undefined where a key is not written out (a default, or a value built by code).
 */
export function locateKey(source: string, path: readonly PropertyKey[]): number | undefined {
  let from = 0;
  let found: number | undefined;
  for (const key of path) {
    if (typeof key !== 'string') continue;
    const pattern = new RegExp(`(?:^|[\\s{,])(["']?)${escapeRegExp(key)}\\1\\s*:`, 'g');
    pattern.lastIndex = from;
    const match = pattern.exec(source);
    if (match === null) return found;
    from = match.index + match[0].length;
    found = lineAt(source, from);
  }
  return found;
}

/** One line per problem: `file:line: path: message`, the unknown key named for an unknown one. */
export function describeConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  source: string,
): string[] {
  return issues.flatMap((issue) => {
    const paths =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown option' }))
        : [{ path: issue.path, message: issue.message }];
    return paths.map(({ path, message }) => {
      const line = locateKey(source, path);
      const where = line === undefined ? file : `${file}:${line}`;
      const at = path.length === 0 ? '' : `${formatPath(path)}: `;
      return `${where}: ${at}${message}`;
    });
  });
}
