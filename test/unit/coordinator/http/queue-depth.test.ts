import { describe, expect, it } from 'vitest';
import { queuedForNewBrowser } from '../../../../coordinator/http/routes/queue.js';
import { commandSpec, Harness } from '../../../support/fixtures.js';

const pageTest = (requirements = {}) =>
  commandSpec({ kind: 'page-test', payload: { module: '/x.js' }, requirements });

describe('queuedForNewBrowser', () => {
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
    expect(queuedForNewBrowser(h.state, 'chromium')).toBe(2);
    expect(queuedForNewBrowser(h.state, 'firefox')).toBe(2);
    expect(queuedForNewBrowser(h.state)).toBe(3);
  });
});
