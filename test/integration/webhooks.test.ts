import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../client/index.js';
import type { DeliveryView, Webhook } from '../../protocol/index.js';
import {
  type CoordinatorProcess,
  spawnDtf,
  startCoordinatorProcess,
} from '../support/processes.js';
import { postJson } from '../support/rest.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';
import { Waiters } from '../support/waiters.js';

cleanUpAfterAll();

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The status the receiver answered. */
  status: number;
}

/** A webhook receiver on loopback: records every request, answers what `answer` says. */
async function startReceiver(answer: (request: Omit<Received, 'status'>) => number) {
  const received: Received[] = [];
  const waiters = new Waiters();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      const status = answer(request);
      received.push({ ...request, status });
      res.writeHead(status).end();
      waiters.notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const waitFor = (what: string, probe: (all: Received[]) => boolean) =>
    waiters.waitFor(
      () => (probe(received) ? true : undefined),
      30_000,
      () =>
        new Error(
          `the receiver never got ${what}; it got ${received.map((r) => r.headers['x-dtf-delivery']).join(', ')}`,
        ),
    );
  return { url, received, waitFor };
}

const SECRET = 'a-secret-of-sixteen-or-more';
const delivery = (r: Received) => String(r.headers['x-dtf-delivery']);

async function dtf(c: CoordinatorProcess, ...args: string[]): Promise<string> {
  const run = spawnDtf([...args, '--coordinator', c.url, '--token', c.adminKey]);
  expect(await run.exitWithin(30_000, args.join(' ')), run.output()).toBe(0);
  return run.output();
}

/** Opens a run of suite `coin` on one commit and ends it with its results. */
async function storeRun(c: CoordinatorProcess, id: string, coinPasses: boolean): Promise<void> {
  const opened = await postJson(c.url, '/api/runs', c.adminKey, {
    id,
    suite: 'coin',
    meta: { commit: 'abc1234def' },
  });
  expect(opened.status).toBe(201);
  const results = [
    { test: 'steady', kind: 'command', status: 'passed', durationMs: 5 },
    coinPasses
      ? { test: 'coin', kind: 'command', status: 'passed', durationMs: 5 }
      : {
          test: 'coin',
          kind: 'command',
          status: 'failed',
          durationMs: 5,
          error: 'heads, not tails',
        },
  ];
  const ended = await postJson(c.url, `/api/runs/${id}/results`, c.adminKey, {
    results,
    end: { status: coinPasses ? 'passed' : 'failed' },
  });
  expect(ended.status, await ended.clone().text()).toBe(200);
}

it('signs each delivery, retries one answered 500 until it is acknowledged, and sends nothing again after, across a restart', async () => {
  let runEndedSeen = 0;
  const receiver = await startReceiver((request) => {
    // The first run's end is refused once: it must come again, and only once more.
    if (request.headers['x-dtf-event'] === 'run.ended' && runEndedSeen++ === 0) return 500;
    return 200;
  });
  const dataDir = tempDir();
  let coordinator = await startCoordinatorProcess(dataDir);

  const refused = spawnDtf([
    'webhooks',
    'add',
    'ftp://example.com/hook',
    '--token',
    coordinator.adminKey,
    '--coordinator',
    coordinator.url,
  ]);
  expect(await refused.exitWithin(30_000, 'dtf webhooks add ftp://')).toBe(2);
  expect(refused.output()).toMatch(/url: must be an http:\/\/ or https:\/\/ URL/);

  const added = JSON.parse(
    await dtf(
      coordinator,
      'webhooks',
      'add',
      `${receiver.url}/hook`,
      ...['--event', 'run.ended', '--event', 'failure.new', '--event', 'flaky'],
      ...['--secret', SECRET, '--json'],
    ),
  ) as Webhook;
  const slack = await dtf(
    coordinator,
    'webhooks',
    'add',
    `${receiver.url}/slack`,
    '--event',
    'failure.new',
    '--format',
    'slack',
  );
  expect(slack).toMatch(
    /^added webhook (wh-\w+): failure.new to .*\/slack \(slack\)\nsecret: \S{20,}/,
  );

  expect(await dtf(coordinator, 'webhooks', 'test', added.id)).toMatch(
    /^ping \S+: delivered \(HTTP 200\)/,
  );
  const ping = receiver.received[0]!;
  expect(JSON.parse(ping.body)).toMatchObject({ event: 'ping', webhook: added.id });

  await storeRun(coordinator, 'run-1', true);
  await receiver.waitFor('run-1 acknowledged', (all) =>
    all.some((r) => delivery(r).startsWith('run-1:run.ended') && r.status === 200),
  );
  await storeRun(coordinator, 'run-2', false);
  await receiver.waitFor(
    'run-2 notifications',
    (all) =>
      ['run-2:run.ended', 'run-2:failure.new', 'run-2:flaky'].every((prefix) =>
        all.some((r) => delivery(r).startsWith(prefix) && r.path === '/hook'),
      ) && all.some((r) => r.path === '/slack'),
  );

  // Every delivery is signed over its timestamp and body with the webhook's secret.
  for (const r of receiver.received.filter((r) => r.path === '/hook')) {
    const timestamp = Number(r.headers['x-dtf-timestamp']);
    expect(
      verifyWebhookSignature(SECRET, timestamp, r.body, String(r.headers['x-dtf-signature'])),
    ).toBe(true);
    expect(
      verifyWebhookSignature(
        'another-secret-16+',
        timestamp,
        r.body,
        String(r.headers['x-dtf-signature']),
      ),
    ).toBe(false);
  }
  const bodyOf = (prefix: string) =>
    JSON.parse(
      receiver.received.find((r) => delivery(r).startsWith(prefix) && r.path === '/hook')!.body,
    );
  expect(bodyOf('run-2:failure.new')).toMatchObject({
    event: 'failure.new',
    run: { id: 'run-2', suite: 'coin', status: 'failed' },
    tests: [{ test: 'coin', status: 'failed', error: 'heads, not tails' }],
  });
  expect(bodyOf('run-2:flaky')).toMatchObject({
    flaky: [{ test: 'coin', commits: ['abc1234def'], runs: 2, failures: 1 }],
  });
  expect(bodyOf('run-2:run.ended')).toMatchObject({
    failures: [{ test: 'coin' }],
    moreFailures: 0,
  });
  const slackBody = JSON.parse(receiver.received.find((r) => r.path === '/slack')!.body);
  expect(slackBody.text).toBe('DTF: 1 test(s) failing that passed in the previous run of coin');
  expect(slackBody.blocks[1].text.text).toBe('• coin: heads, not tails');

  const first = JSON.parse(
    await dtf(coordinator, 'webhooks', 'deliveries', '--json'),
  ) as DeliveryView[];
  expect(first.find((d) => d.id.startsWith('run-1:run.ended'))).toMatchObject({
    status: 'delivered',
    attempts: 2,
    responseStatus: 200,
  });
  expect(await dtf(coordinator, 'webhooks', 'list')).toMatch(
    new RegExp(
      `^${added.id}\\s+${receiver.url}/hook\\s+run.ended,failure.new,flaky\\s+json\\s+`,
      'm',
    ),
  );

  // A restart resends nothing acknowledged: a ping after it is the only new delivery.
  coordinator.child.kill('SIGTERM');
  await coordinator.exitWithin(30_000, 'the coordinator');
  const before = receiver.received.length;
  coordinator = await startCoordinatorProcess(dataDir);
  await dtf(coordinator, 'webhooks', 'test', added.id);
  expect(receiver.received.slice(before).map((r) => r.headers['x-dtf-event'])).toEqual(['ping']);
  const counts = new Map<string, number>();
  for (const r of receiver.received) counts.set(delivery(r), (counts.get(delivery(r)) ?? 0) + 1);
  expect([...counts].filter(([id, n]) => n !== (id.startsWith('run-1:run.ended') ? 2 : 1))).toEqual(
    [],
  );

  expect(await dtf(coordinator, 'webhooks', 'remove', added.id)).toContain(
    `removed webhook ${added.id}`,
  );
  const missing = spawnDtf([
    'webhooks',
    'test',
    added.id,
    '--token',
    coordinator.adminKey,
    '--coordinator',
    coordinator.url,
  ]);
  expect(await missing.exitWithin(30_000, 'dtf webhooks test (removed)')).toBe(1);
  expect(missing.output()).toContain(`no webhook '${added.id}'`);
});
