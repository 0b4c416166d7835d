import type { RunOutcome } from '../run/run-suite.js';

/** What a provider is given once the run has ended and its reporters have written. */
export interface CiContext {
  outcome: RunOutcome;
  env: NodeJS.ProcessEnv;
  /** The working directory: where paths in annotations start unless the CI says otherwise. */
  cwd: string;
  /** The run in Markdown, for summaries and comments. */
  markdown: string;
  /** The JUnit file the run wrote. */
  junitFile: string | undefined;
  /** An API token for comments, when given. */
  token: string | undefined;
  /** Lines for the job's log. */
  print(line: string): void;
}

/** One CI system: how to tell it runs us, and what it expects of a test run. */
export interface CiProvider {
  readonly name: string;
  /** The environment variable that says this CI system runs the job. */
  readonly detectedBy: string;
  detect(env: NodeJS.ProcessEnv): boolean;
  publish(context: CiContext): Promise<void>;
}

/** The marker that finds the comment of an earlier push, to update it rather than add one. */
export const commentMarker = (suite: string) => `<!-- dtf-report: ${suite.replace(/-->/g, '')} -->`;

/** A fetch of a CI system's API; throws naming the call and the answer when it fails. */
export async function callApi(what: string, url: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `${what}: ${init.method ?? 'GET'} ${url} answered ${response.status}: ${text.slice(0, 300)}`,
    );
  }
  return text === '' ? undefined : JSON.parse(text);
}

const MAX_PAGES = 10;

/** A pull or merge request's comments through its CI system's API. */
export interface CommentApi {
  /** One page of 100 comments (1-based). */
  list(page: number): Promise<Array<{ id: number; body?: string }>>;
  update(id: number, body: string): Promise<void>;
  create(body: string): Promise<void>;
}

/**
 * Posts `markdown` as the run's comment: over the comment an earlier push posted (found by its
 * marker in the first thousand), else as a new one. Says which it did.
 */
export async function upsertComment(
  api: CommentApi,
  suite: string,
  markdown: string,
): Promise<'updated' | 'created'> {
  const marker = commentMarker(suite);
  const body = `${marker}\n${markdown}`;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const comments = await api.list(page);
    const earlier = comments.find((c) => c.body?.startsWith(marker));
    if (earlier !== undefined) {
      await api.update(earlier.id, body);
      return 'updated';
    }
    if (comments.length < 100) break;
  }
  await api.create(body);
  return 'created';
}

/** The comments of a REST API that lists pages, updates one by id and adds one, with JSON bodies. */
export function restComments(api: {
  headers: Record<string, string>;
  listUrl(page: number): string;
  updateUrl(id: number): string;
  updateMethod: 'PATCH' | 'PUT';
  createUrl: string;
}): CommentApi {
  const { headers } = api;
  const send = (method: string, url: string, body: string) =>
    callApi(`${method} a comment`, url, { method, headers, body: JSON.stringify({ body }) });
  return {
    list: async (page) =>
      (await callApi('listing the comments', api.listUrl(page), { headers })) as Array<{
        id: number;
        body?: string;
      }>,
    update: async (id, body) => {
      await send(api.updateMethod, api.updateUrl(id), body);
    },
    create: async (body) => {
      await send('POST', api.createUrl, body);
    },
  };
}
