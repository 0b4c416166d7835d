import pino, { type Logger } from 'pino';

function logLevel(fallback = 'info'): string {
  return process.env.DTF_LOG_LEVEL ?? fallback;
}

/**
 * The process logger: JSON lines on stderr, so stdout stays for results. Commands that show
 * their own progress pass a quieter default level.
 */
export function createLogger(defaultLevel?: string): Logger {
  return pino({ level: logLevel(defaultLevel) }, pino.destination(2));
}

export function isDebugLogging(): boolean {
  return logLevel() === 'debug' || logLevel() === 'trace';
}
