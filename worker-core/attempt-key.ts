/** One map key per task attempt. */
export const attemptKey = (taskId: string, attempt: number): string => `${attempt}:${taskId}`;
