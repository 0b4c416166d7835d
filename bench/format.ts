/** A figure's value for people: grouped integers from 100 up, three significant digits below. */
export function formatValue(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

export function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${ratio.toFixed(1)}x` : `${ratio.toFixed(3)}x`;
}

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
