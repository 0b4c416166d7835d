import { describe, expect, it } from 'vitest';
import { UnschedulableExplainer } from '../../../coordinator/queries.js';
import {
  browserCapabilities,
  commandSpec,
  Harness,
  nodeCapabilities,
} from '../../support/fixtures.js';

/** A Node worker that runs commands and a Chromium page that does not, both connected. */
function mixedWorkers(): Harness {
  const h = new Harness();
  h.register('node-1', {
    slots: 1,
    labels: { pool: 'cpu' },
    capabilities: nodeCapabilities({ taskKinds: ['command', 'vitest', 'model'] }),
  });
  h.register('chromium-1', { slots: 1, capabilities: browserCapabilities('chromium') });
  return h;
}

function explain(h: Harness, id: string): string | undefined {
  return new UnschedulableExplainer(h.state).explain(h.task(id));
}

describe('UnschedulableExplainer with Node and browser workers connected', () => {
  it('says nothing about a command task the Node worker could run once it has a free slot', () => {
    const h = mixedWorkers();
    const [running, waiting] = h.submit(commandSpec(), commandSpec());
    h.assign();
    expect(h.task(running!).state).toBe('assigned');
    expect(h.task(waiting!).state).toBe('queued');
    expect(explain(h, waiting!)).toBeUndefined();
  });

  it('names the missing label, not the browser that runs no commands', () => {
    const h = mixedWorkers();
    const [task] = h.submit(commandSpec({ requirements: { labels: { gpu: 'a100' } } }));
    expect(explain(h, task!)).toBe(
      "unschedulable: no worker with label gpu=a100 among the connected workers that run task kind 'command' (node-1)",
    );
  });

  it('names the missing browser for a model task both kinds of worker run', () => {
    const h = mixedWorkers();
    const [task] = h.submit(
      commandSpec({
        kind: 'model',
        payload: {
          model: `sha256:${'a'.repeat(64)}`,
          executionProvider: 'wasm',
          inputs: {},
        },
        requirements: { browser: 'firefox' },
      }),
    );
    expect(explain(h, task!)).toBe('unschedulable: no firefox browser worker');
  });

  it('names the kind only when no connected worker runs it', () => {
    const h = new Harness();
    h.register('node-1', {
      capabilities: nodeCapabilities({ taskKinds: ['command'] }),
    });
    h.register('chromium-1', { capabilities: browserCapabilities('chromium') });
    const [task] = h.submit(commandSpec({ kind: 'vitest', payload: { dir: '/src' } }));
    expect(explain(h, task!)).toBe("unschedulable: no worker runs task kind 'vitest'");
  });

  it('names the workers that met the earlier requirements, and only the ones that narrowed', () => {
    const h = mixedWorkers();
    h.register('node-2', { labels: { pool: 'cpu' }, capabilities: nodeCapabilities() });
    const [task] = h.submit(
      commandSpec({ requirements: { labels: { pool: 'cpu' }, features: ['cuda'] } }),
    );
    expect(explain(h, task!)).toBe(
      "unschedulable: no worker with feature 'cuda' among the connected workers that run task kind 'command' (node-1, node-2)",
    );
  });

  it('names a requirement no connected worker meets on its own', () => {
    const h = new Harness();
    h.register('node-1', { labels: { pool: 'cpu' } });
    const [task] = h.submit(commandSpec({ requirements: { labels: { gpu: 'a100' } } }));
    expect(explain(h, task!)).toBe('unschedulable: no worker with label gpu=a100');
  });
});
