/** `--plugin <module>`, repeatable: each module path in the order given. */
export function collectPlugin(path: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), path];
}
