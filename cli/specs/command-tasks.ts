const MAX_NAME_LENGTH = 80;

/** `count` tasks that each run `command` through a shell, as raw specs still to be validated. */
export function commandTasks(command: string, count: number): Record<string, unknown>[] {
  const base =
    command.length > MAX_NAME_LENGTH ? `${command.slice(0, MAX_NAME_LENGTH - 1)}…` : command;
  return Array.from({ length: count }, (_, index) => ({
    kind: 'command',
    name: count === 1 ? base : `${base} #${index + 1}`,
    payload: { command, shell: true },
  }));
}
