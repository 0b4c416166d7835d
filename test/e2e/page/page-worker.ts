import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, vi } from 'vitest';
import type { BrowserName } from '../../../browser-worker/pool/index.js';
import { DtfClient } from '../../../client/index.js';
import type {
  ArtifactRef,
  BrowserCapabilities,
  Capabilities,
  TaskSpecInput,
  TaskView,
} from '../../../protocol/index.js';
import { type CoordinatorProcess, startCoordinatorProcess } from '../../support/processes.js';
import { getJson } from '../../support/rest.js';
import { tempDir } from '../../support/temp-dir.js';
import { type LaunchedBrowser, launchBrowser } from './browsers.js';

export interface WorkerView {
  id: string;
  name: string;
  status: string;
  capabilities: Capabilities;
}

export function browserCapabilities(worker: WorkerView): BrowserCapabilities {
  if (worker.capabilities.kind !== 'browser') throw new Error(`${worker.name} is no browser`);
  return worker.capabilities;
}

/**
 * Opens the coordinator's worker page and waits until that page has registered; what the page
 * logs goes to `pageConsole` as `type: text`.
 */
async function openWorkerPage(
  browser: Browser,
  coordinator: CoordinatorProcess,
  pageConsole: string[],
): Promise<{ worker: WorkerView; page: Page }> {
  const page = await browser.newPage();
  page.on('console', (message) => pageConsole.push(`${message.type()}: ${message.text()}`));
  await page.goto(`${coordinator.url}/worker?token=${coordinator.workerToken}`);
  const worker = await vi.waitFor(
    async () => {
      const { workers } = await getJson<{ workers: WorkerView[] }>(
        coordinator.url,
        '/api/workers',
        coordinator.adminKey,
      );
      const found = workers.find((w) => w.capabilities.kind === 'browser' && w.status !== 'dead');
      if (found === undefined)
        throw new Error(`no browser worker yet; page console:\n${pageConsole.join('\n')}`);
      return found;
    },
    { timeout: 60_000, interval: 250 },
  );
  return { worker, page };
}

export interface WorkerPageSetup {
  coordinator: CoordinatorProcess;
  worker: WorkerView;
  /**
   * Where examples/page-tests is served with CORS; under `/no-cors/` without the
   * Access-Control-Allow-Origin header, under `/as-text/` as text/plain.
   */
  pageTestsUrl: string;
  /** What the worker page logged, as `type: text`. */
  pageConsole: string[];
  /** The worker page itself. */
  page: Page;
}

/**
 * For a test file: a coordinator, a loopback server of examples/page-tests, and one browser
 * with the worker page open and registered. The fields are filled in before the first test.
 */
export function useWorkerPage(name: BrowserName): WorkerPageSetup {
  const setup = { pageConsole: [] as string[] } as WorkerPageSetup;
  let browser: LaunchedBrowser | undefined;
  let pageTests: Awaited<ReturnType<typeof servePageTests>> | undefined;
  beforeAll(async () => {
    setup.coordinator = await startCoordinatorProcess(tempDir());
    pageTests = await servePageTests();
    setup.pageTestsUrl = pageTests.url;
    browser = await launchBrowser(name);
    const opened = await openWorkerPage(browser.browser, setup.coordinator, setup.pageConsole);
    setup.worker = opened.worker;
    setup.page = opened.page;
  });
  afterAll(async () => {
    await browser?.close();
    await pageTests?.close();
  });
  return setup;
}

/** Submits tasks as the admin and returns each one's view once all have ended. */
export async function runTasks(
  coordinator: CoordinatorProcess,
  tasks: TaskSpecInput[],
): Promise<TaskView[]> {
  const client = await DtfClient.connect({
    urls: [coordinator.wsUrl],
    token: coordinator.adminKey,
  });
  try {
    const taskIds = await client.submit(tasks);
    await client.waitFor({ taskIds });
    const views = await client.query({ taskIds });
    return taskIds.map((id) => views.find((view) => view.id === id)!);
  } finally {
    await client.close();
  }
}

/** Stores a file (a model) in the coordinator's artifact store. */
export async function storeArtifact(
  coordinator: CoordinatorProcess,
  bytes: Uint8Array,
): Promise<ArtifactRef> {
  const response = await fetch(`${coordinator.url}/api/artifacts`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${coordinator.adminKey}` },
    body: bytes,
  });
  if (!response.ok)
    throw new Error(`PUT /api/artifacts: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ref: ArtifactRef }).ref;
}

const PAGE_TESTS = fileURLToPath(new URL('../../../examples/page-tests/', import.meta.url));

/**
 * Serves examples/page-tests on a loopback port, with CORS so a worker page of another origin
 * may import the modules; and, to see how the page reports them, as a server that forgets the
 * CORS header (`/no-cors/`) or the content type (`/as-text/`) would.
 */
async function servePageTests(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, variant = '', rest = ''] = url.pathname.match(/^\/(no-cors|as-text)(\/.*)$/) ?? [];
    const path = join(PAGE_TESTS, normalize(variant === '' ? url.pathname : rest));
    const cors = variant === 'no-cors' ? {} : { 'access-control-allow-origin': '*' };
    if (!path.startsWith(PAGE_TESTS) || !existsSync(path)) {
      res.writeHead(404, cors).end();
      return;
    }
    res.writeHead(200, {
      'content-type': variant === 'as-text' ? 'text/plain' : 'text/javascript',
      ...cors,
    });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A module given inline, for tests that need a module no file holds. */
export function moduleUrl(source: string): string {
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/** A WGSL shader that doubles each element of binding 0 into binding 1. */
export const DOUBLING_SHADER = `
@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(4)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  output[id.x] = input[id.x] * 2.0;
}
`;

export function doublingTask(shader = DOUBLING_SHADER): TaskSpecInput {
  return {
    kind: 'webgpu',
    name: 'double',
    retry: { maxRetries: 0 },
    payload: {
      shader,
      workgroups: [1],
      buffers: [
        { binding: 0, type: 'f32', data: [1, 2, 3.5, -4] },
        { binding: 1, type: 'f32', length: 4, read: true },
      ],
      expected: { binding: 1, data: [2, 4, 7, -8] },
    },
  };
}
