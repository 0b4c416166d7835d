import type { Command } from 'commander';
import { parseWith, RestWorkersResponse, type RestWorkerView } from '../../protocol/index.js';
import { coordinatorAccess, restGetFromAny } from '../connection.js';
import { formatTable } from '../format/table.js';
import { printJson, printLine } from '../output.js';

function kindOf(worker: RestWorkerView): string {
  const caps = worker.capabilities;
  return caps.kind === 'browser' ? `browser/${caps.browser.name}` : caps.kind;
}

function breakerOf(worker: RestWorkerView): string {
  const { breaker, consecutiveFailures } = worker.health;
  if (breaker === 'closed') return breaker;
  return `${breaker} (${consecutiveFailures} failure${consecutiveFailures === 1 ? '' : 's'})`;
}

/** The `dtf workers` table: one row per worker under a header. */
export function formatWorkersTable(workers: readonly RestWorkerView[]): string {
  const rows = workers.map((worker) => [
    worker.name,
    worker.id,
    kindOf(worker),
    worker.status,
    `${worker.running.length}/${worker.slots}`,
    String(worker.health.score),
    breakerOf(worker),
  ]);
  return formatTable([['NAME', 'ID', 'KIND', 'STATUS', 'RUNNING', 'SCORE', 'BREAKER'], ...rows]);
}

/** Checks a `GET /api/workers` answer; a malformed one is an error that names the field. */
export function parseWorkersResponse(body: unknown): RestWorkerView[] {
  const parsed = parseWith(RestWorkersResponse, body, 'GET /api/workers response');
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.message.workers;
}

export function registerWorkersCommand(program: Command): void {
  program
    .command('workers')
    .description('list workers with their health score and circuit breaker')
    .option('--json', 'print the workers as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const body = await restGetFromAny(coordinatorAccess(command), '/api/workers');
      const workers = parseWorkersResponse(body);
      if (options.json === true) {
        // As the coordinator sent them, fields this CLI does not know included.
        printJson((body as { workers: unknown }).workers);
        return;
      }
      printLine(workers.length === 0 ? 'no workers' : formatWorkersTable(workers));
    });
}
