/** Results go to stdout; progress, logs and errors go to stderr. */
export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  printLine(JSON.stringify(value, null, 2));
}

/** Progress and status lines for people watching: stderr, so stdout stays parseable. */
export function printStatus(text: string): void {
  process.stderr.write(`${text}\n`);
}
