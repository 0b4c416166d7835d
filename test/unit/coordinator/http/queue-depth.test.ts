import { describe, expect, it } from 'vitest';
import { queuedForNewWorker } from '../../../../coordinator/http/routes/queue.js';
import { RestQueueQuery } from '../../../../protocol/index.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const pageTest = (requirements = {}) =>
  commandSpec({ kind: 'page-test', payload: { module: '/x.js' }, requirements });

const queued = (h: Harness, query: Record<string, string>) =>
  queuedForNewWorker(h.state, RestQueueQuery.parse(query));

describe('queuedForNewWorker', () => {
  it('counts the queued tasks a new browser worker of that browser, with no labels, could take', () => {
    const h = new Harness();
    h.submit(
      pageTest(),
      pageTest({ browser: 'chromium' }),
      pageTest({ browser: 'firefox' }),
      pageTest({ labels: { gpu: 'a100' } }),
      pageTest({ workers: ['w1'] }),
      pageTest({ workerKind: 'node' }),
      commandSpec(),
    );
    expect(queued(h, { browser: 'chromium' })).toBe(2);
    expect(queued(h, { browser: 'firefox' })).toBe(2);
    expect(queued(h, {})).toBe(3);
    // A worker group's browsers also take the tasks that ask for its labels.
    expect(queued(h, { labels: 'gpu=a100,zone=b' })).toBe(4);
  });

  it('counts what a new Node worker of a group, its slots and features could take', () => {
    const h = new Harness();
    h.submit(
      commandSpec(),
      commandSpec({ requirements: { labels: { group: 'gpu' } } }),
      commandSpec({ requirements: { labels: { group: 'gpu' }, features: ['cuda'] } }),
      commandSpec({ requirements: { slots: 4 } }),
      commandSpec({ requirements: { browser: 'chromium' } }),
      commandSpec({ requirements: { workers: ['w1'] } }),
      pageTest(),
      commandSpec({ kind: 'plugin', payload: { runner: 'numerics' } }),
    );
    expect(queued(h, { worker: 'node' })).toBe(2);
    expect(queued(h, { worker: 'node', slots: '2' })).toBe(1);
    expect(queued(h, { worker: 'node', labels: 'group=gpu' })).toBe(3);
    expect(queued(h, { worker: 'node', labels: 'group=gpu', features: 'cuda' })).toBe(4);
    expect(queued(h, { worker: 'node', features: 'runner:numerics' })).toBe(3);
  });

  it('refuses a label that is not key=value, and a worker kind it does not know', () => {
    expect(RestQueueQuery.safeParse({ labels: 'gpu' }).success).toBe(false);
    expect(RestQueueQuery.safeParse({ worker: 'robot' }).success).toBe(false);
    expect(RestQueueQuery.safeParse({ slots: '0' }).success).toBe(false);
  });
});
