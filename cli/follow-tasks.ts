import type { DtfClient, TaskSelector } from '../client/index.js';
import type { TaskEvent } from '../protocol/index.js';
import { formatSummary } from './format/summary.js';
import { printJson, printLine } from './output.js';
import { formatProgressLine } from './progress/progress-line.js';
import { ProgressReporter } from './progress/progress-reporter.js';

/** Waits until every selected task has ended, showing progress on stderr meanwhile. */
export async function waitWithProgress(
  client: DtfClient,
  selector: TaskSelector,
): Promise<TaskEvent[]> {
  const reporter = new ProgressReporter(process.stderr);
  try {
    return await client.waitFor(selector, {
      onEvent: (_event, progress) =>
        reporter.update(formatProgressLine(progress.countsByState(), progress.total)),
    });
  } finally {
    reporter.finish();
  }
}

/**
 * Shows progress on stderr until every selected task has ended, then prints the outcome: a
 * summary, or with `json` that document plus the final `events`. True if all succeeded.
 */
export async function followTasks(
  client: DtfClient,
  selector: TaskSelector,
  json: Record<string, unknown> | undefined,
): Promise<boolean> {
  const events = await waitWithProgress(client, selector);
  if (events.length === 0) {
    throw new Error('group' in selector ? `group '${selector.group}' has no tasks` : 'no tasks');
  }
  if (json === undefined) printLine(formatSummary(events));
  else printJson({ ...json, events });
  return events.every((event) => event.state === 'succeeded');
}
