import { appendFile, readFile } from 'node:fs/promises';
import { failures } from './failures.js';
import { type CiContext, type CiProvider, restComments, upsertComment } from './provider.js';

/** GitHub shows at most 50 annotations of a job: the first failures, not a truncated flood. */
const MAX_ANNOTATIONS = 50;

/** A workflow command's message, as GitHub reads it back. */
const escapeData = (text: string) =>
  text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::error file=…,line=…,title=…::message` for each failure, first `MAX_ANNOTATIONS`. */
export function githubAnnotations(context: Pick<CiContext, 'outcome' | 'env' | 'cwd'>): string[] {
  const workspace = context.env.GITHUB_WORKSPACE ?? context.cwd;
  return failures(context.outcome.report, workspace)
    .slice(0, MAX_ANNOTATIONS)
    .map((failure) => {
      const properties = [
        ...(failure.file === undefined ? [] : [`file=${escapeProperty(failure.file)}`]),
        ...(failure.line === undefined ? [] : [`line=${failure.line}`]),
        `title=${escapeProperty(failure.title)}`,
      ];
      return `::error ${properties.join(',')}::${escapeData(failure.message)}`;
    });
}

/** The pull request the workflow runs for, from its event file; undefined on a push. */
async function pullRequestNumber(env: NodeJS.ProcessEnv): Promise<number | undefined> {
  if (env.GITHUB_EVENT_PATH === undefined) return undefined;
  try {
    const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as {
      pull_request?: { number?: unknown };
    };
    const number = event.pull_request?.number;
    return typeof number === 'number' ? number : undefined;
  } catch {
    return undefined;
  }
}

/** Adds the run's comment to the pull request, or updates the one an earlier push added. */
async function comment(context: CiContext, token: string): Promise<void> {
  const { env, outcome, print } = context;
  const number = await pullRequestNumber(env);
  if (number === undefined) {
    print('dtf ci: not a pull request, so no comment');
    return;
  }
  const repo = env.GITHUB_REPOSITORY;
  if (repo === undefined) throw new Error('GITHUB_REPOSITORY is not set: no comment');
  const api = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, '');
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'dtf',
    'content-type': 'application/json',
  };
  const base = `${api}/repos/${repo}/issues`;
  const comments = restComments({
    headers,
    listUrl: (page) => `${base}/${number}/comments?per_page=100&page=${page}`,
    updateUrl: (id) => `${base}/comments/${id}`,
    updateMethod: 'PATCH',
    createUrl: `${base}/${number}/comments`,
  });
  const done = await upsertComment(comments, outcome.report.suite, context.markdown);
  print(
    done === 'updated'
      ? `dtf ci: updated the comment on pull request #${number}`
      : `dtf ci: commented on pull request #${number}`,
  );
}

export const github: CiProvider = {
  name: 'github',
  detectedBy: 'GITHUB_ACTIONS',
  detect: (env) => env.GITHUB_ACTIONS === 'true',
  async publish(context) {
    for (const line of githubAnnotations(context)) context.print(line);
    if (context.env.GITHUB_STEP_SUMMARY !== undefined) {
      await appendFile(context.env.GITHUB_STEP_SUMMARY, `${context.markdown}\n`);
    }
    if (context.token !== undefined) await comment(context, context.token);
  },
};
