import { InvalidArgumentError } from 'commander';

function rangeText(min: number, max: number): string {
  if (max !== Number.MAX_SAFE_INTEGER) return ` from ${min} to ${max}`;
  return min === Number.MIN_SAFE_INTEGER ? '' : ` of at least ${min}`;
}

/** A commander argument parser for whole numbers in `[min, max]`. */
export function integerIn(min: number, max: number): (text: string) => number {
  const range = rangeText(min, max);
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number${range}`);
    }
    return value;
  };
}

export const positiveInteger = integerIn(1, Number.MAX_SAFE_INTEGER);
export const anyInteger = integerIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
export const portNumber = integerIn(0, 65_535);
