import { describe, expect, test } from 'vitest';
import { workerSocketOffMainThread } from '../../../../browser-worker/page/socket-placement.js';

describe('workerSocketOffMainThread', () => {
  test('Chromium keeps the socket in a worker; Firefox, whose worker sockets wait on the main thread, does not', () => {
    const chromium =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';
    expect(workerSocketOffMainThread(chromium)).toBe(true);
    expect(workerSocketOffMainThread(firefox)).toBe(false);
  });
});
