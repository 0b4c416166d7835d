import { describeError, describeErrorBody } from './error-text.js';

/** A REST request the coordinator answered with an error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * GETs `path` from a coordinator's REST API (`baseHttpUrl` like `http://host:port`) and
 * returns the parsed JSON body. Error statuses become an `HttpError` with the server's message.
 */
export async function restGet(
  baseHttpUrl: string,
  path: string,
  token: string | undefined,
): Promise<unknown> {
  const url = new URL(path, baseHttpUrl).href;
  const headers: Record<string, string> =
    token === undefined ? {} : { Authorization: `Bearer ${token}` };
  let response: Response;
  try {
    response = await fetch(url, { headers });
  } catch (error) {
    throw new Error(`could not reach ${url}: ${describeError(error)}`);
  }
  const body = await response.text();
  if (!response.ok) {
    const detail = describeErrorBody(body);
    throw new HttpError(
      response.status,
      `GET ${url} failed with HTTP ${response.status}${detail === '' ? '' : `: ${detail}`}`,
    );
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`GET ${url} did not return JSON: ${body.slice(0, 200)}`);
  }
}
