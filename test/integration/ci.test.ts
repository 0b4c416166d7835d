import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDtf } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The escape that starts GitLab's log section markers. */
const ESC = String.fromCharCode(27);

/** Every variable that could tell `dtf ci` which CI runs the test suite itself, unset. */
const NO_CI = { GITHUB_ACTIONS: '', GITLAB_CI: '', JENKINS_URL: undefined, TF_BUILD: '' };

interface Recorded {
  method: string;
  path: string;
  auth: string | undefined;
  body: unknown;
}

/** A CI system's API on loopback: records each request and answers from its comment store. */
class FakeApi {
  readonly requests: Recorded[] = [];
  readonly comments: Array<{ id: number; body: string }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.answer(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async answer(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text === '' ? undefined : JSON.parse(text);
    const path = req.url!.split('?')[0]!;
    const auth = req.headers.authorization ?? (req.headers['private-token'] as string | undefined);
    this.requests.push({ method: req.method!, path, auth, body });
    const { body: comment } = (body ?? {}) as { body?: string };
    if (req.method === 'GET') return { status: 200, body: this.comments };
    if (req.method === 'POST') {
      const created = { id: this.comments.length + 1, body: comment! };
      this.comments.push(created);
      return { status: 201, body: created };
    }
    const id = Number(path.split('/').at(-1));
    const found = this.comments.find((c) => c.id === id);
    if (found === undefined) return { status: 404, body: {} };
    found.body = comment!;
    return { status: 200, body: found };
  }
}

/** A vitest project whose config runs one passing and one failing test (line 4). */
function failingProject(): string {
  const dir = tempDir();
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop' }));
  writeFileSync(join(dir, 'vitest.config.mjs'), 'export default {};\n');
  mkdirSync(join(dir, 'test'));
  writeFileSync(
    join(dir, 'test/cart.test.ts'),
    [
      "import { expect, it } from 'vitest';",
      "it('adds', () => expect(1 + 1).toBe(2));",
      "it('totals', () => {",
      '  expect(0.1 + 0.2).toBe(0.3);',
      '});',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'dtf.config.json'),
    JSON.stringify({ projects: [{ name: 'unit', runner: 'vitest' }], workers: { slots: 1 } }),
  );
  return dir;
}

async function ci(dir: string, env: Record<string, string | undefined>, args: string[] = []) {
  const run = spawnDtf(['ci', ...args], { ...NO_CI, ...env }, dir);
  const code = await run.exited;
  return { code, output: run.output() };
}

describe('dtf ci', () => {
  const api = new FakeApi();
  let project: string;
  beforeAll(async () => {
    await api.start();
    project = failingProject();
  });
  afterAll(() => api.stop());

  it('on GitHub: annotates the failing line, writes the job summary, comments on the pull request and updates that comment on the next push', async () => {
    const summary = join(project, 'summary.md');
    const event = join(project, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7 } }));
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: project,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: api.url,
      GITHUB_TOKEN: 'ghs_test',
    };
    const first = await ci(project, env);
    expect(first.code, first.output).toBe(1);
    expect(first.output).toMatch(
      /^::error file=test\/cart\.test\.ts,line=4,title=unit%3A test\/cart\.test\.ts > totals::AssertionError: expected 0\.30000000000000004 to be 0\.3/m,
    );
    expect(readFileSync(summary, 'utf8')).toContain('### FAIL');
    expect(first.output).toContain('dtf ci: commented on pull request #7');
    const second = await ci(project, env);
    expect(second.code).toBe(1);
    expect(second.output).toContain('dtf ci: updated the comment on pull request #7');

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/shop/issues/7/comments',
      'POST /repos/acme/shop/issues/7/comments',
      'GET /repos/acme/shop/issues/7/comments',
      'PATCH /repos/acme/shop/issues/comments/1',
    ]);
    expect(api.requests.every((r) => r.auth === 'Bearer ghs_test')).toBe(true);
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]!.body).toMatch(/^<!-- dtf-report: shop -->\n### FAIL/);
  }, 60_000);

  it('on GitLab: folds the summary into the log, names the JUnit report and updates its merge request note', async () => {
    api.requests.length = 0;
    api.comments.splice(0, api.comments.length, { id: 41, body: '<!-- dtf-report: shop -->\nold' });
    const run = await ci(project, {
      GITLAB_CI: 'true',
      CI_API_V4_URL: `${api.url}/api/v4`,
      CI_PROJECT_ID: 'acme/shop',
      CI_MERGE_REQUEST_IID: '3',
      GITLAB_TOKEN: 'glpat-test',
    });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(new RegExp(`section_start:\\d+:dtf_summary\r${ESC}\\[0KDTF: shop`));
    expect(run.output).toContain('dtf ci: JUnit report reports/shop.junit.xml');
    expect(run.output).toContain('dtf ci: updated the note on merge request !3');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v4/projects/acme%2Fshop/merge_requests/3/notes',
      'PUT /api/v4/projects/acme%2Fshop/merge_requests/3/notes/41',
    ]);
    expect(api.requests.every((r) => r.auth === 'glpat-test')).toBe(true);
  }, 60_000);

  it('on Jenkins and Azure Pipelines: the JUnit report and summary each expects', async () => {
    const jenkins = await ci(project, { JENKINS_URL: 'http://jenkins.local/' });
    expect(jenkins.code, jenkins.output).toBe(1);
    expect(jenkins.output).toContain(
      "dtf ci: JUnit report reports/shop.junit.xml (junit 'reports/shop.junit.xml')",
    );
    expect(existsSync(join(project, 'reports/shop.junit.xml'))).toBe(true);

    const azure = await ci(project, { TF_BUILD: 'True', BUILD_SOURCESDIRECTORY: project });
    expect(azure.code, azure.output).toBe(1);
    expect(azure.output).toMatch(
      /^##vso\[task\.logissue type=error;sourcepath=test\/cart\.test\.ts;linenumber=4;\]unit: test\/cart\.test\.ts > totals: AssertionError/m,
    );
    expect(azure.output).toContain(
      `##vso[results.publish type=JUnit;runTitle=shop;]${join(project, 'reports/shop.junit.xml')}`,
    );
    expect(azure.output).toContain(
      `##vso[task.uploadsummary]${join(project, 'reports/shop.summary.md')}`,
    );
  }, 60_000);

  it('refuses an unknown provider, and none found, before it runs anything', async () => {
    const unknown = await ci(project, {}, ['--provider', 'travis']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain(
      "unknown CI provider 'travis' (known: github, gitlab, jenkins, azure)",
    );
    expect(unknown.output).not.toMatch(/starting a coordinator/);
    const none = await ci(project, {});
    expect(none.code).toBe(2);
    expect(none.output).toContain('no CI system found in the environment');
  });
});
