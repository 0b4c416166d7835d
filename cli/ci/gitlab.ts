import { type CiContext, type CiProvider, restComments, upsertComment } from './provider.js';

/** The summary in a section of the job log that GitLab folds. */
function logSection(context: CiContext): string[] {
  const now = Math.floor(Date.now() / 1000);
  return [
    `\x1b[0Ksection_start:${now}:dtf_summary\r\x1b[0KDTF: ${context.outcome.report.suite}`,
    ...context.markdown.split('\n'),
    `\x1b[0Ksection_end:${now}:dtf_summary\r\x1b[0K`,
  ];
}

/** Adds the run's note to the merge request, or updates the one an earlier push added. */
async function note(context: CiContext, token: string): Promise<void> {
  const { env, outcome, print } = context;
  const iid = env.CI_MERGE_REQUEST_IID;
  if (iid === undefined) {
    print('dtf ci: not a merge request pipeline, so no note');
    return;
  }
  const api = env.CI_API_V4_URL?.replace(/\/$/, '');
  const project = env.CI_PROJECT_ID;
  if (api === undefined || project === undefined) {
    throw new Error('CI_API_V4_URL or CI_PROJECT_ID is not set: no note');
  }
  const base = `${api}/projects/${encodeURIComponent(project)}/merge_requests/${iid}/notes`;
  const headers = { 'private-token': token, 'content-type': 'application/json' };
  const notes = restComments({
    headers,
    listUrl: (page) => `${base}?per_page=100&page=${page}`,
    updateUrl: (id) => `${base}/${id}`,
    updateMethod: 'PUT',
    createUrl: base,
  });
  const done = await upsertComment(notes, outcome.report.suite, context.markdown);
  print(
    done === 'updated'
      ? `dtf ci: updated the note on merge request !${iid}`
      : `dtf ci: added a note to merge request !${iid}`,
  );
}

export const gitlab: CiProvider = {
  name: 'gitlab',
  detectedBy: 'GITLAB_CI',
  detect: (env) => env.GITLAB_CI === 'true',
  async publish(context) {
    for (const line of logSection(context)) context.print(line);
    if (context.junitFile !== undefined) {
      context.print(`dtf ci: JUnit report ${context.junitFile} (artifacts: reports: junit)`);
    }
    if (context.token !== undefined) await note(context, context.token);
  },
};
