/** One entry of `navigator.userAgentData.brands` / `fullVersionList`. */
export interface UaBrand {
  brand: string;
  version: string;
}

/** What User-Agent Client Hints told, where the browser has them (Chromium, secure contexts). */
export interface UaHints {
  brands: readonly UaBrand[];
  platform?: string;
  architecture?: string;
  bitness?: string;
}

export interface BrowserIdentity {
  name: string;
  version: string;
  engine: string;
  os: string;
  arch: string;
}

const ENGINE: Record<string, string> = {
  chromium: 'blink',
  chrome: 'blink',
  edge: 'blink',
  firefox: 'gecko',
  safari: 'webkit',
};

/** Names a browser the way task requirements ask for it; `hints` win over the UA string. */
export function identifyBrowser(userAgent: string, hints?: UaHints): BrowserIdentity {
  const fromHints = hints === undefined ? undefined : nameFromBrands(hints.brands);
  const { name, version } = fromHints ?? nameFromUserAgent(userAgent);
  return {
    name,
    version,
    engine: ENGINE[name] ?? 'unknown',
    os: osName(hints?.platform ?? userAgent),
    arch: archName(hints, userAgent),
  };
}

function nameFromBrands(brands: readonly UaBrand[]): { name: string; version: string } | undefined {
  const find = (brand: string) => brands.find((b) => b.brand === brand);
  const branded = find('Microsoft Edge') ?? find('Google Chrome');
  if (branded !== undefined) {
    const name = branded.brand === 'Microsoft Edge' ? 'edge' : 'chrome';
    return { name, version: branded.version };
  }
  const chromium = find('Chromium');
  return chromium === undefined ? undefined : { name: 'chromium', version: chromium.version };
}

function nameFromUserAgent(userAgent: string): { name: string; version: string } {
  const match = (pattern: RegExp) => userAgent.match(pattern)?.[1];
  const firefox = match(/Firefox\/([\d.]+)/);
  if (firefox !== undefined) return { name: 'firefox', version: firefox };
  const edge = match(/Edg(?:e|A|iOS)?\/([\d.]+)/);
  if (edge !== undefined) return { name: 'edge', version: edge };
  // Without client hints a Google Chrome build cannot be told from Chromium.
  const chromium = match(/(?:HeadlessChrome|Chromium|Chrome|CriOS)\/([\d.]+)/);
  if (chromium !== undefined) return { name: 'chromium', version: chromium };
  const safari = match(/Version\/([\d.]+).*Safari\//);
  if (safari !== undefined) return { name: 'safari', version: safari };
  return { name: 'unknown', version: '' };
}

function osName(platformOrUserAgent: string): string {
  const text = platformOrUserAgent.toLowerCase();
  if (text.includes('android')) return 'android';
  if (text.includes('cros') || text.includes('chrome os')) return 'chromeos';
  if (/iphone|ipad|ios/.test(text)) return 'ios';
  if (text.includes('win')) return 'windows';
  if (text.includes('mac')) return 'macos';
  if (text.includes('linux')) return 'linux';
  return 'unknown';
}

function archName(hints: UaHints | undefined, userAgent: string): string {
  if (hints?.architecture) {
    const bits64 = hints.bitness === '64';
    if (hints.architecture === 'x86') return bits64 ? 'x64' : 'ia32';
    if (hints.architecture === 'arm') return bits64 ? 'arm64' : 'arm';
    return hints.architecture;
  }
  if (/x86_64|x64|Win64|amd64/i.test(userAgent)) return 'x64';
  if (/aarch64|arm64/i.test(userAgent)) return 'arm64';
  return 'unknown';
}
