import { InvalidArgumentError } from 'commander';

/** A commander parser for a repeatable `--group-weight name=weight` (a positive number). */
export function collectGroupWeight(
  text: string,
  previous: Record<string, number> | undefined,
): Record<string, number> {
  const equals = text.lastIndexOf('=');
  const weight = Number(text.slice(equals + 1));
  if (
    equals <= 0 ||
    text.slice(equals + 1).trim() === '' ||
    !Number.isFinite(weight) ||
    weight <= 0
  ) {
    throw new InvalidArgumentError(
      `group weight '${text}' must look like group=weight, with a positive weight`,
    );
  }
  return { ...previous, [text.slice(0, equals)]: weight };
}
