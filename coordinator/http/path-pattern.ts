/** A route path compiled for matching; `params` throws URIError on a malformed %-escape. */
export interface PathPattern {
  /** The decoded `:name` segments of a matching path; undefined when it does not match. */
  match(path: string): Record<string, string> | undefined;
}

/**
 * Compiles `/api/tasks/:id` (a `:name` is one non-empty segment) or `/worker/*` (the folder
 * and everything below it). Matching is as Express's defaults: any letter case, with or
 * without a trailing slash.
 */
export function compilePath(path: string): PathPattern {
  const folder = path.endsWith('/*');
  const segments = (folder ? path.slice(0, -2) : path).split('/').slice(1);
  const names: string[] = [];
  const source = segments
    .map((segment) => {
      if (!segment.startsWith(':')) return `/${escapeRegExp(segment)}`;
      names.push(segment.slice(1));
      return '/([^/]+)';
    })
    .join('');
  const regex = new RegExp(`^${source}${folder ? '(?:/.*)?' : '/?'}$`, 'i');
  return {
    match(candidate) {
      const found = regex.exec(candidate);
      if (found === null) return undefined;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1]!);
      });
      return params;
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
