/** An error as one line, keeping a DOMException's name (`NotSupportedError: ...`). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}
