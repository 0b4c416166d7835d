import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchPings } from '../../../reconnect/index.js';

/** A socket whose pongs the test sends. */
function fakeSocket() {
  let pong = () => {};
  return {
    pings: 0,
    ping() {
      this.pings++;
    },
    on(_event: 'pong', listener: () => void) {
      pong = listener;
    },
    pong: () => pong(),
  };
}

describe('watchPings', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings each interval and reports a peer silent for the misses allowed, once', () => {
    const socket = fakeSocket();
    const silent: number[] = [];
    let beats = 0;
    watchPings(socket, {
      intervalMs: 100,
      misses: 3,
      onSilent: (ms) => silent.push(ms),
      onBeat: () => beats++,
    });
    vi.advanceTimersByTime(250);
    socket.pong();
    vi.advanceTimersByTime(300);
    expect(silent).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(silent).toEqual([300]);
    vi.advanceTimersByTime(1_000);
    expect(silent).toEqual([300]);
    expect(socket.pings).toBe(5);
    expect(beats).toBe(5);
  });

  it('waits at least minSilenceMs, and does nothing once stopped', () => {
    const socket = fakeSocket();
    const silent: number[] = [];
    const stop = watchPings(socket, {
      intervalMs: 10,
      misses: 3,
      minSilenceMs: 500,
      onSilent: (ms) => silent.push(ms),
    });
    vi.advanceTimersByTime(500);
    expect(silent).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(silent).toEqual([500]);

    const quiet = fakeSocket();
    const stopQuiet = watchPings(quiet, {
      intervalMs: 10,
      misses: 1,
      onSilent: () => silent.push(0),
    });
    stopQuiet();
    stop();
    vi.advanceTimersByTime(1_000);
    expect(quiet.pings).toBe(0);
    expect(silent).toEqual([500]);
  });
});
