function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => !isRecord(item) && !Array.isArray(item))) {
    return value.map(String).join(', ');
  }
  return JSON.stringify(value) ?? String(value);
}

/** A JSON document as `[path, value]` rows: nested objects become dotted paths. */
export function keyValueRows(value: unknown, prefix = ''): [string, string][] {
  if (!isRecord(value)) return [[prefix === '' ? 'value' : prefix, scalarText(value)]];
  return Object.entries(value).flatMap(([key, inner]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return isRecord(inner) ? keyValueRows(inner, path) : [[path, scalarText(inner)]];
  });
}
