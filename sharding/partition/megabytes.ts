/** Bytes as MB (10⁶ bytes) with two decimals, for messages and tables. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
