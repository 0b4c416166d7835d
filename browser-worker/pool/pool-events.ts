import type { BrowserName } from './browser-counts.js';
import type { DriverName } from './drivers/driver.js';

/** `ready`: its page's worker has registered; `failed`: stopped for good (see its event). */
export type MemberState = 'starting' | 'ready' | 'relaunching' | 'stopped' | 'failed';

export interface PoolMemberStatus {
  /** e.g. `chromium 1/2`, `remote 1/1` */
  name: string;
  browser: BrowserName;
  driver: DriverName;
  /** As the browser reports it once started, e.g. `Chrome/156.0.8078.108`. */
  version: string | undefined;
  /** The browser's main process; none for a remote browser. */
  pid: number | undefined;
  /** The worker its latest page registered as (a relaunched browser's page is a new worker). */
  workerId?: string;
  status: MemberState;
  restarts: number;
  /** Tasks finished by this member's pages, across relaunches. */
  tasksDone: number;
  /** Its page runs a task, as last seen. */
  busy: boolean;
  /** Scaled down: it closes once its page is idle, and is not relaunched. */
  retiring: boolean;
}

export type PoolEvent =
  | { type: 'launching'; member: PoolMemberStatus }
  | { type: 'ready'; member: PoolMemberStatus; startMs: number }
  | { type: 'relaunching'; member: PoolMemberStatus; reason: string; delayMs: number }
  | { type: 'stopped'; member: PoolMemberStatus }
  /** No relaunch can help (the coordinator refused the worker token): the member stopped. */
  | { type: 'failed'; member: PoolMemberStatus; reason: string }
  /** Autoscaling chose another size: `to` browsers of `browser`, from `from`. */
  | { type: 'scaled'; browser: BrowserName; from: number; to: number; reason: string };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One progress line: `launching chromium 1/2…`, `chromium 1/2 ready (0.6 s)`. */
export function describePoolEvent(event: PoolEvent): string {
  if (event.type === 'scaled') {
    return `scaling ${event.browser} from ${event.from} to ${event.to}: ${event.reason}`;
  }
  const { name } = event.member;
  switch (event.type) {
    case 'launching':
      return `${event.member.restarts === 0 ? 'launching' : 'relaunching'} ${name}…`;
    case 'ready':
      return `${name} ready (${seconds(event.startMs)})`;
    case 'relaunching':
      return `${name} ${event.reason}; relaunching in ${seconds(event.delayMs)}`;
    case 'stopped':
      return `${name} stopped`;
    case 'failed':
      return `${name} failed: ${event.reason}`;
  }
}
