import { describe, expect, test } from 'vitest';
import { identifyBrowser } from '../../../../../browser-worker/page/capabilities/browser-identity.js';

const HEADLESS_CHROMIUM =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0';
const EDGE =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.3485.54';
const SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15';

describe('identifyBrowser', () => {
  test('client hints tell Google Chrome from Chromium and give the full version', () => {
    const brands = [
      { brand: 'Not=A?Brand', version: '24.0.0.0' },
      { brand: 'Chromium', version: '156.0.8078.79' },
    ];
    expect(
      identifyBrowser(HEADLESS_CHROMIUM, {
        brands,
        platform: 'Linux',
        architecture: 'x86',
        bitness: '64',
      }),
    ).toEqual({
      name: 'chromium',
      version: '156.0.8078.79',
      engine: 'blink',
      os: 'linux',
      arch: 'x64',
    });
    const chrome = [...brands, { brand: 'Google Chrome', version: '156.0.8078.79' }];
    expect(
      identifyBrowser(HEADLESS_CHROMIUM, {
        brands: chrome,
        platform: 'macOS',
        architecture: 'arm',
        bitness: '64',
      }),
    ).toMatchObject({ name: 'chrome', os: 'macos', arch: 'arm64' });
  });

  test.each([
    [
      HEADLESS_CHROMIUM,
      { name: 'chromium', version: '156.0.0.0', engine: 'blink', os: 'linux', arch: 'x64' },
    ],
    [FIREFOX, { name: 'firefox', version: '153.0', engine: 'gecko', os: 'linux', arch: 'x64' }],
    [EDGE, { name: 'edge', version: '140.0.3485.54', engine: 'blink', os: 'windows', arch: 'x64' }],
    [SAFARI, { name: 'safari', version: '18.5', engine: 'webkit', os: 'macos', arch: 'unknown' }],
  ])('without client hints, reads the user agent %s', (userAgent, expected) => {
    expect(identifyBrowser(userAgent)).toEqual(expected);
  });
});
