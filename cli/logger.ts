import pino, { type Logger } from 'pino';

function logLevel(): string {
  return process.env.DTF_LOG_LEVEL ?? 'info';
}

/** The process logger: JSON lines on stderr, so stdout stays for results. */
export function createLogger(): Logger {
  return pino({ level: logLevel() }, pino.destination(2));
}

export function isDebugLogging(): boolean {
  return logLevel() === 'debug' || logLevel() === 'trace';
}
