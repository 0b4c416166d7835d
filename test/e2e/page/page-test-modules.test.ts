import { describe, expect, test } from 'vitest';
import type { BrowserName } from '../../../browser-worker/pool/index.js';
import { reservePort } from '../../support/processes.js';
import { cleanUpAfterAll } from '../../support/teardown.js';
import { runTasks, useWorkerPage } from './page-worker.js';

cleanUpAfterAll();

describe.each<BrowserName>(['chromium', 'firefox'])('page-test modules in %s', (browser) => {
  const setup = useWorkerPage(browser);

  test('the example the protocol names, /examples/page-tests/basic.js, is served by the coordinator and runs', async () => {
    const [basic] = await runTasks(setup.coordinator, [
      { kind: 'page-test', payload: { module: '/examples/page-tests/basic.js' } },
    ]);
    expect(basic?.state, JSON.stringify(basic?.result)).toBe('succeeded');
    expect(basic?.result?.output).toMatchObject({ kind: 'page-test', passed: 4, failed: 0 });
  });

  test('a module that cannot be loaded is reported with the reason: CORS, an unreachable server, HTTP status, content type', async () => {
    const closedPort = await reservePort();
    const urls = {
      noCors: `${setup.pageTestsUrl}/no-cors/basic.js`,
      unreachable: `http://127.0.0.1:${closedPort}/basic.js`,
      missing: `${setup.pageTestsUrl}/no-such-module.js`,
      asText: `${setup.pageTestsUrl}/as-text/basic.js`,
    };
    const views = await runTasks(
      setup.coordinator,
      Object.values(urls).map((module) => ({
        kind: 'page-test' as const,
        retry: { maxRetries: 0 },
        payload: { module },
      })),
    );
    const errors = Object.fromEntries(
      Object.keys(urls).map((key, i) => [key, views[i]?.result?.error ?? views[i]?.state]),
    );
    const origin = setup.pageTestsUrl;
    expect(errors.noCors).toMatch(
      new RegExp(
        `^cannot import ${urls.noCors}: TypeError: .*: the server at ${origin} answered without an Access-Control-Allow-Origin header, so this page \\(${setup.coordinator.url}\\) may not load the module: the server must send Access-Control-Allow-Origin \\(e\\.g\\. \\*\\) with it \\(CORS\\)$`,
      ),
    );
    expect(errors.unreachable).toMatch(
      new RegExp(
        `^cannot import ${urls.unreachable}: TypeError: .*: the module failed to load: http://127\\.0\\.0\\.1:${closedPort} could not be reached$`,
      ),
    );
    expect(errors.missing).toMatch(
      new RegExp(
        `^cannot import ${urls.missing}: TypeError: .*: the module failed to load: the server answered HTTP 404 Not Found$`,
      ),
    );
    expect(errors.asText).toMatch(
      new RegExp(
        `^cannot import ${urls.asText}: TypeError: .*: the module failed to load: the server sent it as 'text/plain', and a module must come as text/javascript$`,
      ),
    );
  });
});
