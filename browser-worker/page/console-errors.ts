import { errorText } from '../../worker-core/index.js';

/** TaskResult.logs holds at most this many entries; each is cut to a readable length. */
const MAX_ENTRIES = 100;
const MAX_ENTRY_CHARS = 4_000;

const collectors = new Set<string[]>();
let installed = false;

function record(entry: string): void {
  for (const entries of collectors) {
    if (entries.length < MAX_ENTRIES) entries.push(entry.slice(0, MAX_ENTRY_CHARS));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? errorText(value);
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function install(): void {
  installed = true;
  const consoleError = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    record(`console.error: ${args.map(describe).join(' ')}`);
    consoleError(...args);
  };
  addEventListener('error', (event) => {
    record(`uncaught error: ${describe(event.error ?? event.message)}`);
  });
  addEventListener('unhandledrejection', (event) => {
    record(`unhandled rejection: ${describe(event.reason)}`);
  });
}

/**
 * Collects console.error calls and uncaught errors from now until `stop`. Tasks share the page,
 * so with several tasks running at once each one sees the others' errors too.
 */
export function collectConsoleErrors(): { stop(): string[] } {
  if (!installed) install();
  const entries: string[] = [];
  collectors.add(entries);
  return {
    stop() {
      collectors.delete(entries);
      return entries;
    },
  };
}
