const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 15_000;

/** How long to wait before the next launch after `failures` launches in a row went wrong. */
export function relaunchDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (failures - 1), MAX_DELAY_MS);
}
