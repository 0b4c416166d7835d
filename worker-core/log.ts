type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** The logging a worker session needs; a pino logger and a page's console adapter both fit. */
export interface WorkerLog {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
