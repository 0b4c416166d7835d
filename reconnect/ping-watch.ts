/** A socket that can be pinged: a `ws` WebSocket (a browser's cannot). */
export interface Pingable {
  ping(): void;
  on(event: 'pong', listener: () => void): unknown;
}

export interface PingWatchOptions {
  intervalMs: number;
  /** Silence, in pings unanswered, after which the peer is presumed gone. */
  misses: number;
  /** Silence shorter than this never counts, however short the interval. Default 0. */
  minSilenceMs?: number;
  /** Called once when the peer has been silent too long; the watch has stopped. */
  onSilent(silenceLimitMs: number): void;
  /** Called with each ping (a worker sends its heartbeat along). */
  onBeat?(): void;
}

/**
 * Pings `socket` every `intervalMs` until stopped, and reports a peer that answered none for
 * `misses` intervals: a host that died never closes its TCP connection, so only its silence
 * tells. Returns the function that stops the watch.
 */
export function watchPings(socket: Pingable, options: PingWatchOptions): () => void {
  const silenceLimitMs = Math.max(options.misses * options.intervalMs, options.minSilenceMs ?? 0);
  let lastPongAt = performance.now();
  socket.on('pong', () => {
    lastPongAt = performance.now();
  });
  const timer = setInterval(() => {
    if (performance.now() - lastPongAt > silenceLimitMs) {
      clearInterval(timer);
      options.onSilent(silenceLimitMs);
      return;
    }
    socket.ping();
    options.onBeat?.();
  }, options.intervalMs);
  return () => clearInterval(timer);
}
