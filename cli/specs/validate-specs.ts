import { describeIssues, TaskSpec } from '../../protocol/index.js';

const MAX_REPORTED_TASKS = 3;

/**
 * Checks raw specs against the protocol before anything is sent. `source` names where they
 * came from (e.g. `tasks file 'suite.json'`) in the error, with each bad task's index and field.
 */
export function validateTaskSpecs(specs: readonly unknown[], source: string): TaskSpec[] {
  const valid: TaskSpec[] = [];
  const problems: string[] = [];
  specs.forEach((spec, index) => {
    const parsed = TaskSpec.safeParse(spec);
    if (parsed.success) valid.push(parsed.data);
    else problems.push(`task [${index}]: ${describeIssues(parsed.error, spec)}`);
  });
  if (problems.length === 0) return valid;
  const more = problems.length - MAX_REPORTED_TASKS;
  const listed = problems.slice(0, MAX_REPORTED_TASKS).join('; ');
  throw new Error(
    `${source} has invalid tasks: ${listed}${more > 0 ? ` (and ${more} more invalid tasks)` : ''}`,
  );
}
