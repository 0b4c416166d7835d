import { errorText } from '../../worker-core/index.js';

const JAVASCRIPT_TYPE = /^(text|application)\/(javascript|ecmascript)\b/i;

/**
 * Why `import(url)` failed. A module that could not be loaded rejects with a bare TypeError
 * ("Failed to fetch dynamically imported module"), whatever the cause; asking for the URL again
 * with `fetch` tells the causes apart: a server that refuses other origins (no
 * Access-Control-Allow-Origin), one that cannot be reached, an HTTP error, a wrong content type.
 */
export async function importFailure(url: string, error: unknown, signal: AbortSignal) {
  const said = errorText(error);
  // Other errors (a syntax error, an exception the module threw) say what happened themselves.
  if (!(error instanceof TypeError)) return said;
  const cause = await loadProblem(url, signal);
  return cause === undefined ? said : `${said}: ${cause}`;
}

async function loadProblem(url: string, signal: AbortSignal): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store', signal });
  } catch {
    if (signal.aborted) return undefined;
    const { origin } = new URL(url);
    return (await answers(url, signal))
      ? `the server at ${origin} answered without an Access-Control-Allow-Origin header, so this page (${location.origin}) may not load the module: the server must send Access-Control-Allow-Origin (e.g. *) with it (CORS)`
      : `the module failed to load: ${origin} could not be reached`;
  }
  if (!response.ok) {
    return `the module failed to load: the server answered HTTP ${response.status} ${response.statusText}`;
  }
  const type = response.headers.get('content-type') ?? '';
  if (!JAVASCRIPT_TYPE.test(type)) {
    return `the module failed to load: the server sent it as ${type === '' ? 'no content type' : `'${type}'`}, and a module must come as text/javascript`;
  }
  // It loads: the TypeError came from running it, or from a module it imports.
  return undefined;
}

/** Whether the server answers at all: a no-cors request succeeds without CORS headers. */
async function answers(url: string, signal: AbortSignal): Promise<boolean> {
  try {
    await fetch(url, { mode: 'no-cors', cache: 'no-store', signal });
    return true;
  } catch {
    return false;
  }
}

/** The module at `url` (from the page's origin), or why it could not be imported. */
export async function importPageModule(
  url: string,
  signal: AbortSignal,
): Promise<{ module: Record<string, unknown> } | { failure: string }> {
  const file = new URL(url, location.origin).href;
  try {
    // A URL known only at run time: the bundler leaves this import to the browser.
    return { module: (await import(file)) as Record<string, unknown> };
  } catch (error) {
    return { failure: `cannot import ${file}: ${await importFailure(file, error, signal)}` };
  }
}
