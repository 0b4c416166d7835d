export {
  type AutoscaleOptions,
  DEFAULT_BROWSER_MB,
  DEFAULT_SCALE_DOWN_AFTER_MS,
} from './autoscaler.js';
export {
  addBrowserCount,
  BROWSER_NAMES,
  type BrowserCount,
  type BrowserName,
  isBrowserName,
  parseBrowserCount,
} from './browser-counts.js';
export { DRIVER_NAMES, type DriverName } from './drivers/driver.js';
export { ensureBrowsers } from './ensure-browsers.js';
export { type FoundBrowser, findBrowsers } from './find-browsers.js';
export { BrowsersMissingError } from './install-browsers.js';
export type { HealthCheckSettings } from './member.js';
export { type Pool, type PoolOptions, startPool } from './pool.js';
export {
  describePoolEvent,
  type MemberState,
  type PoolEvent,
  type PoolMemberStatus,
} from './pool-events.js';
