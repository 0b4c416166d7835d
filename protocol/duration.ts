const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
/** The longest a timer can wait (setTimeout's limit is about 24.8 days). */
export const MAX_DURATION_MS = 24 * 3_600_000;

export const DURATION_HINT =
  'a duration above 0 and up to 24h, such as 500ms, 90s, 10m or 1h (a bare number is seconds)';

/**
 * `500ms`, `90s`, `10m`, `1.5h`, `30d` or bare seconds in ms; undefined when it is none of them
 * or lies outside `limits` (by default above 0 and up to `MAX_DURATION_MS`).
 */
export function parseDurationMs(
  text: string,
  limits: { zero?: boolean; maxMs?: number } = {},
): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  const aboveMin = limits.zero === true ? ms >= 0 : ms > 0;
  return aboveMin && ms <= (limits.maxMs ?? MAX_DURATION_MS) ? Math.round(ms) : undefined;
}
