import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { addBrowserCount, parseBrowserCount } from '../../../../browser-worker/pool/index.js';
import { collectBrowserCount } from '../../../../cli/commands/pool.js';
import { workerPageUrl } from '../../../../client/index.js';

describe('--browser name=count', () => {
  it('reads a name and a count, a bare name meaning one', () => {
    expect(parseBrowserCount('chromium=2')).toEqual({ name: 'chromium', count: 2 });
    expect(parseBrowserCount('firefox')).toEqual({ name: 'firefox', count: 1 });
  });

  it('refuses unknown browsers and counts that are not whole numbers from 1', () => {
    expect(() => parseBrowserCount('safari=1')).toThrow(
      "unknown browser 'safari' in 'safari=1' (use chromium or firefox)",
    );
    for (const bad of ['chromium=0', 'chromium=', 'chromium=1.5', 'chromium=two']) {
      expect(() => parseBrowserCount(bad)).toThrow(`'${bad}' needs a whole number of browsers`);
    }
  });

  it('adds a browser named twice to its count, keeping the order of first mention', () => {
    const counts = [parseBrowserCount('chromium=2'), parseBrowserCount('firefox=1')];
    expect(addBrowserCount(counts, { name: 'chromium', count: 1 })).toEqual([
      { name: 'chromium', count: 3 },
      { name: 'firefox', count: 1 },
    ]);
  });

  it('is a repeatable commander option with usage errors', () => {
    const once = collectBrowserCount('chromium=2', undefined);
    expect(collectBrowserCount('firefox=1', once)).toEqual([
      { name: 'chromium', count: 2 },
      { name: 'firefox', count: 1 },
    ]);
    expect(() => collectBrowserCount('chrome=1', undefined)).toThrow(InvalidArgumentError);
  });
});

describe('the worker page URL', () => {
  it('is /worker on the coordinator, over http(s), with the token', () => {
    expect(workerPageUrl('ws://10.0.0.5:8080/ws', 'a b&c')).toBe(
      'http://10.0.0.5:8080/worker?token=a+b%26c',
    );
    expect(workerPageUrl('wss://dtf.example', undefined)).toBe('https://dtf.example/worker');
  });

  it("names the cluster's other members, as WebSocket URLs, for the page to fall back on", () => {
    const cluster = ['http://10.0.0.1:8080', 'ws://10.0.0.2:8080/ws', 'http://10.0.0.3:8080'];
    const page = new URL(workerPageUrl(cluster[1]!, 't', cluster));
    expect(page.origin).toBe('http://10.0.0.2:8080');
    expect(page.searchParams.getAll('coordinator')).toEqual([
      'ws://10.0.0.1:8080/ws',
      'ws://10.0.0.3:8080/ws',
    ]);
  });
});
