import { createHash } from 'node:crypto';
import {
  type AuditEntry,
  type AuditRecord,
  type AuditStamp,
  MAX_AUDIT_TARGET_CHARS,
} from '../../protocol/index.js';
import type { Command } from './commands.js';
import type { StateEvent } from './events.js';
import type { CoordinatorState } from './types.js';

type Audited = Extract<Command, { audit?: AuditStamp }>;

/** The entry's hash: SHA-256 of the previous hash and the record's fields in a fixed order. */
export function auditHash(prev: string, record: AuditRecord): string {
  const fields = [
    record.seq,
    record.at,
    record.key,
    record.role,
    record.from,
    record.action,
    record.target,
  ];
  return createHash('sha256')
    .update(`${prev}\n${JSON.stringify(fields)}`)
    .digest('hex');
}

/**
 * Chains the audit entry of a command an admin or submitter key sent (one that carries its
 * `audit` stamp) after what applying it did. Every member applies the same commands, so every
 * member computes the same chain.
 */
export function appendAudit(
  state: CoordinatorState,
  command: Audited,
  events: readonly StateEvent[],
): StateEvent | undefined {
  const stamp = command.audit;
  if (stamp === undefined) return undefined;
  const { action, target } = describe(command, events);
  const prev = state.auditHead.hash;
  const entry: AuditEntry = {
    seq: state.auditHead.seq + 1,
    at: command.now,
    key: stamp.key,
    role: stamp.role,
    from: stamp.from,
    action,
    target:
      target.length > MAX_AUDIT_TARGET_CHARS
        ? `${target.slice(0, MAX_AUDIT_TARGET_CHARS - 1)}…`
        : target,
    prev,
    hash: '',
  };
  entry.hash = auditHash(prev, entry);
  state.auditHead = { seq: entry.seq, hash: entry.hash };
  return { type: 'Audited', entry };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Names the ids (the first few) of a list. */
function ids(list: readonly string[]): string {
  return named(list.slice(0, 3), list.length);
}

/** The first few of `total` things, and how many more. */
function named(first: readonly string[], total: number): string {
  const shown = first.join(', ');
  return total > first.length ? `${shown} and ${total - first.length} more` : shown;
}

/**
 * A submit in words: how many tasks, their kinds and groups, the first ids. One pass over the
 * tasks that keeps only what it names: it runs for every audited submit, on `apply`'s path.
 */
function describeSubmit(
  command: Extract<Command, { type: 'SubmitTasks' }>,
  events: readonly StateEvent[],
): string {
  const refused = events.find((e) => e.type === 'SubmitRefused');
  if (refused !== undefined) return `refused: idempotency key '${refused.key}' reused`;
  const { tasks } = command;
  const kinds: string[] = [];
  const groups: string[] = [];
  let moreGroups = 0;
  for (const { spec } of tasks) {
    if (!kinds.includes(spec.kind)) kinds.push(spec.kind);
    const { group } = spec;
    if (group === undefined || groups.includes(group)) continue;
    if (groups.length < 3) groups.push(group);
    else moreGroups++;
  }
  const inGroups =
    groups.length === 0 ? '' : ` in group ${named(groups, groups.length + moreGroups)}`;
  const first = tasks.slice(0, 3).map((t) => t.id);
  const repeats = count(events, 'TaskDeduplicated');
  const repeated = repeats === 0 ? '' : `; ${repeats} already submitted`;
  return `${plural(tasks.length, 'task')} (${kinds.join(', ')})${inGroups}: ${named(first, tasks.length)}${repeated}`;
}

function count(events: readonly StateEvent[], type: StateEvent['type']): number {
  let n = 0;
  for (const event of events) if (event.type === type) n++;
  return n;
}

/** The command's short name and what it acted on, in words, with how it ended. */
function describe(
  command: Audited,
  events: readonly StateEvent[],
): { action: string; target: string } {
  switch (command.type) {
    case 'SubmitTasks':
      return { action: 'submit', target: describeSubmit(command, events) };
    case 'CancelTasks': {
      const selected =
        command.group !== undefined ? `group ${command.group}` : ids(command.taskIds ?? []);
      return {
        action: 'cancel',
        target: `${selected}: ${plural(count(events, 'TaskEnded'), 'task')} cancelled`,
      };
    }
    case 'RetargetTasks':
      return {
        action: 'retarget',
        target: `${ids(command.taskIds)} to ${JSON.stringify(command.requirements)}: ${plural(count(events, 'TaskRetargeted'), 'task')} changed`,
      };
    case 'DrainWorker':
      return { action: 'drain', target: `worker ${command.workerId}` };
    case 'OpenRun':
      return { action: 'run.open', target: `run ${command.run.id} (${command.run.suite})` };
    case 'RecordRunResults': {
      const refused = events.find((e) => e.type === 'RunResultsRefused');
      const ended = command.end === undefined ? '' : `, ended ${command.end.status}`;
      return {
        action: 'run.results',
        target:
          refused !== undefined
            ? `run ${command.runId}: refused: ${refused.reason}`
            : `run ${command.runId}: ${plural(command.results.length, 'result')}${ended}`,
      };
    }
    case 'QuarantineTest':
      return { action: 'quarantine.add', target: JSON.stringify(command.entry) };
    case 'ReleaseTest':
      return { action: 'quarantine.release', target: JSON.stringify(command.entry) };
    case 'CreateKey':
      return {
        action: 'key.create',
        target: `${command.key.id} '${command.key.name}' (${command.key.role})${count(events, 'KeyChanged') === 0 ? ': refused' : ''}`,
      };
    case 'RevokeKey':
      return { action: 'key.revoke', target: command.id };
    case 'RotateKey':
      return {
        action: 'key.rotate',
        target: `${command.id}, old secret until ${new Date(command.graceUntil).toISOString()}`,
      };
    case 'AddWebhook':
      // The host only: a webhook's path and query often hold its secret.
      return {
        action: 'webhook.add',
        target: `${command.webhook.id} → ${new URL(command.webhook.url).host}`,
      };
    case 'RemoveWebhook':
      return { action: 'webhook.remove', target: command.id };
    case 'RecordAudit':
      return { action: command.action, target: command.target };
  }
}
