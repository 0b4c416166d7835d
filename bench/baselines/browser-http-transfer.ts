import { launchBareChromium } from '../support/bare-chromium.js';
import { percentile } from '../support/percentile.js';

export interface BrowserTransferOptions {
  /** The coordinator's `http://host:port`: the page is opened at its origin. */
  url: string;
  adminKey: string;
  bytes: number;
  roundTrips: number;
}

/**
 * Installed in the page: `PUT /api/artifacts` of `bytes` fresh random bytes and a `GET` of the
 * stored artifact, one after the other, `roundTrips` times; the milliseconds of each pair.
 */
const PAGE_SCRIPT = `async ({ adminKey, bytes, roundTrips }) => {
  const times = [];
  for (let i = 0; i < roundTrips; i++) {
    const body = new Uint8Array(bytes);
    // getRandomValues fills at most 64 KiB a call.
    for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(body.subarray(at, at + 65536));
    const started = performance.now();
    const put = await fetch('/api/artifacts', {
      method: 'PUT',
      headers: { authorization: 'Bearer ' + adminKey, 'content-type': 'application/octet-stream' },
      body,
    });
    if (!put.ok) throw new Error('PUT /api/artifacts: HTTP ' + put.status + ' ' + (await put.text()));
    const { ref } = await put.json();
    const get = await fetch('/api/artifacts/' + ref.slice('sha256:'.length), {
      headers: { authorization: 'Bearer ' + adminKey },
    });
    const back = await get.arrayBuffer();
    if (back.byteLength !== bytes) throw new Error('GET returned ' + back.byteLength + ' bytes');
    times.push(performance.now() - started);
  }
  return times;
}`;

/**
 * The median time for a page of a bare headless Chromium, at the coordinator's origin, to upload
 * `bytes` to the coordinator's artifact store and download them again: the same trips an
 * activation makes between two browser workers, through the browser's network stack and the
 * same store, without the worker, the lease or the task around them.
 */
export async function measureBrowserTransfer(
  executablePath: string,
  options: BrowserTransferOptions,
): Promise<number> {
  const bare = await launchBareChromium(executablePath);
  try {
    const page = await bare.browser.newPage();
    await page.goto(`${options.url}/api/health`);
    const times = (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify(options)})`)) as number[];
    return percentile(times, 50);
  } finally {
    await bare.close();
  }
}
