import type { BrowserName } from '../browser-counts.js';

export const DRIVER_NAMES = ['puppeteer', 'playwright'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

export interface LaunchRequest {
  browser: BrowserName;
  executablePath: string;
  args: string[];
  /** Added to this process's environment for the browser and every process it starts. */
  env: Readonly<Record<string, string>>;
  /** Where to make the browser's fresh profile: DTF's scratch dir, which its reaper removes. */
  tempDir: string;
  /** Accept certificates the browser cannot verify itself (a pool Node has verified them for). */
  acceptInsecureCerts: boolean;
}

/** One tab. Crash and close both end its life as a worker. */
export interface DriverPage {
  goto(url: string): Promise<void>;
  /** Evaluates a JavaScript expression in the page and returns its JSON-able value. */
  evaluate(expression: string): Promise<unknown>;
  onGone(listener: (reason: string) => void): void;
  onConsoleError(listener: (text: string) => void): void;
}

/**
 * A browser this process launched (it has a pid) or connected to. `close` shuts a launched
 * browser down and only disconnects from a remote one, closing the pages opened here.
 */
export interface DriverBrowser {
  readonly version: string;
  readonly pid: number | undefined;
  /** The directory DTF made for a launched browser's profile, to remove once it has gone. */
  readonly profileDir: string | undefined;
  newPage(): Promise<DriverPage>;
  onDisconnected(listener: () => void): void;
  close(): Promise<void>;
}

export interface BrowserDriver {
  readonly name: DriverName;
  launch(request: LaunchRequest): Promise<DriverBrowser>;
  /** Attaches to a running browser by its WebSocket endpoint (Chrome DevTools Protocol). */
  connect(endpoint: string): Promise<DriverBrowser>;
}
