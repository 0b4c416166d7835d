/** The browsers a pool can launch. */
export const BROWSER_NAMES = ['chromium', 'firefox'] as const;
export type BrowserName = (typeof BROWSER_NAMES)[number];

export interface BrowserCount {
  name: BrowserName;
  count: number;
}

export function isBrowserName(text: string): text is BrowserName {
  return (BROWSER_NAMES as readonly string[]).includes(text);
}

/** Parses `chromium=2` (or a bare `chromium`, meaning one). */
export function parseBrowserCount(text: string): BrowserCount {
  const [name = '', countText] = text.split('=', 2);
  if (!isBrowserName(name)) {
    throw new Error(`unknown browser '${name}' in '${text}' (use ${BROWSER_NAMES.join(' or ')})`);
  }
  const count = countText === undefined ? 1 : Number(countText);
  if (countText?.trim() === '' || !Number.isSafeInteger(count) || count < 1) {
    throw new Error(`'${text}' needs a whole number of browsers of at least 1, e.g. ${name}=2`);
  }
  return { name, count };
}

/** Adds one `name=count` to earlier ones; naming a browser again adds to its count. */
export function addBrowserCount(
  counts: readonly BrowserCount[],
  added: BrowserCount,
): BrowserCount[] {
  const existing = counts.find((entry) => entry.name === added.name);
  if (existing === undefined) return [...counts, added];
  return counts.map((entry) =>
    entry === existing ? { name: entry.name, count: entry.count + added.count } : entry,
  );
}
