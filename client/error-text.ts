/** A one-line description of any thrown value, including the causes Node hides behind it. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Connecting to `localhost` fails with an AggregateError (one per address) whose own message is empty.
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map(describeError).join(', ');
  }
  // fetch() reports every network failure as "fetch failed" and puts the reason in `cause`.
  if (error.cause !== undefined && error.cause !== null) {
    return `${error.message}: ${describeError(error.cause)}`;
  }
  return error.message;
}

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  return messageOf(record.message) ?? messageOf(record.error);
}

/** The readable part of an HTTP error body: its JSON `message` (or `error`) if it has one, else the text. */
export function describeErrorBody(body: string): string {
  const text = body.trim();
  try {
    return messageOf(JSON.parse(text)) ?? text;
  } catch {
    return text;
  }
}
