import { identifyBrowser } from './capabilities/browser-identity.js';

/**
 * Whether this browser's WebSocket in a dedicated worker runs while the page's main thread is
 * busy. Chromium's does: a worker's heartbeats go on during a long synchronous task. Gecko's
 * does not: its worker WebSockets go through the page's main thread, so they stall with it
 * (measured on Firefox 153: no message for the whole of a 200 ms busy loop), and a worker
 * would only add two thread hops to every message.
 */
export function workerSocketOffMainThread(userAgent: string): boolean {
  return identifyBrowser(userAgent).engine !== 'gecko';
}
