/** A commander parser for a repeatable option: each value in the order given. */
export function collectRepeated(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
