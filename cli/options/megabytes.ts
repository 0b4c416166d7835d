import { InvalidArgumentError } from 'commander';

/** A commander parser for a size in MB (10⁶ bytes, fractions allowed); returns bytes. */
export function megabytesAsBytes(text: string): number {
  const megabytes = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(megabytes > 0 && Number.isFinite(megabytes))) {
    throw new InvalidArgumentError('expected a size in MB above 0, such as 64 or 0.5');
  }
  return Math.round(megabytes * 1e6);
}
