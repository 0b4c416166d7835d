import type { Command } from 'commander';
import { z } from 'zod';
import {
  CreatedKeyReply,
  describeIssues,
  KeyRole,
  KeyScopes,
  KeysReply,
  KeyView,
  type Labels,
  MAX_KEY_LIFETIME_MS,
  MAX_ROTATION_GRACE_MS,
  parseDurationMs,
  ROLES,
  TASK_KINDS,
} from '../../protocol/index.js';
import { coordinatorAccess, restGetChecked, restPostChecked } from '../connection.js';
import { formatTable } from '../format/table.js';
import { collectLabel } from '../options/labels.js';
import { collectRepeated } from '../options/repeated.js';
import { printJson, printLine } from '../output.js';
import { UsageError } from '../usage-error.js';
import { formatInstant } from './runs.js';

const KeyReply = z.object({ key: KeyView });

const EXPIRES_HINT = 'a duration above 0 such as 12h, 30d or 365d (up to 3650d)';
const GRACE_HINT = 'a duration such as 0s, 10m, 1h or 7d (up to 30d)';

function durationMs(text: string, option: string, zero: boolean): number {
  const maxMs = zero ? MAX_ROTATION_GRACE_MS : MAX_KEY_LIFETIME_MS;
  const ms = parseDurationMs(text, { zero, maxMs });
  const hint = zero ? GRACE_HINT : EXPIRES_HINT;
  if (ms === undefined) throw new UsageError(`${option} '${text}': expected ${hint}`);
  return ms;
}

interface CreateOptions {
  name: string;
  role: string;
  expires?: string;
  kind?: string[];
  label?: Labels;
  group?: string[];
  json?: boolean;
}

/** The scopes the options give, checked; undefined when they give none. */
function scopesOf(options: CreateOptions): KeyScopes | undefined {
  const given = {
    ...(options.kind === undefined ? {} : { kinds: options.kind }),
    ...(options.label === undefined ? {} : { labels: options.label }),
    ...(options.group === undefined ? {} : { groups: options.group }),
  };
  if (Object.keys(given).length === 0) return undefined;
  const checked = KeyScopes.safeParse(given);
  if (!checked.success) throw new UsageError(`scopes: ${describeIssues(checked.error, given)}`);
  return checked.data;
}

/** `kinds vitest,command; labels pool=ci; groups ci-*`, or `-`. */
function scopesText(scopes: KeyScopes | undefined): string {
  if (scopes === undefined) return '-';
  const parts = [
    scopes.kinds === undefined ? undefined : `kinds ${scopes.kinds.join(',')}`,
    scopes.labels === undefined
      ? undefined
      : `labels ${Object.entries(scopes.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}`,
    scopes.groups === undefined ? undefined : `groups ${scopes.groups.join(',')}`,
  ];
  return parts.filter((part) => part !== undefined).join('; ');
}

function printSecret(key: KeyView, secret: string, what: string): void {
  printLine(`${what} key ${key.id} '${key.name}' (${key.role})`);
  printLine(`secret: ${secret}\n  (shown this once: DTF keeps only its hash)`);
}

export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description(
      `API keys of a role (${ROLES.join(', ')}): create, list, revoke, rotate (admin key only)`,
    );
  keys
    .command('create')
    .description('a new key; its secret is printed once and only its hash is kept')
    .requiredOption('--name <name>', 'what or who it is for: ci, alice@example.com, …')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--expires <duration>', `it stops working after this long: ${EXPIRES_HINT}`)
    .option(
      '--kind <kind>',
      `its tasks may only be of this kind (repeatable): ${TASK_KINDS.join(', ')}`,
      collectRepeated,
    )
    .option(
      '--label <key=value>',
      'its tasks must ask for this worker label (repeatable)',
      collectLabel,
    )
    .option(
      '--group <pattern>',
      'its tasks must go to this group, or a prefix and * (repeatable)',
      collectRepeated,
    )
    .option('--json', 'print the key and its secret as JSON')
    .action(async (options: CreateOptions, command: Command) => {
      const role = KeyRole.safeParse(options.role);
      if (!role.success) {
        throw new UsageError(`--role '${String(options.role)}': one of ${ROLES.join(', ')}`);
      }
      const { expires } = options;
      const scopes = scopesOf(options);
      const request = {
        name: options.name,
        role: role.data,
        ...(expires === undefined ? {} : { expiresInMs: durationMs(expires, '--expires', false) }),
        ...(scopes === undefined ? {} : { scopes }),
      };
      const reply = await restPostChecked(
        coordinatorAccess(command),
        '/api/keys',
        request,
        CreatedKeyReply,
      );
      if (options.json === true) printJson(reply);
      else printSecret(reply.key, reply.secret, 'created');
    });
  keys
    .command('list')
    .description('every key: its role, state and dates (never its secret)')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const reply = await restGetChecked(coordinatorAccess(command), '/api/keys', KeysReply);
      if (options.json === true) {
        printJson(reply.keys);
        return;
      }
      if (reply.keys.length === 0) {
        printLine('no keys beyond the admin key and worker token (dtf keys create adds one)');
        return;
      }
      const at = (ms: number | undefined) => (ms === undefined ? '-' : formatInstant(ms));
      printLine(
        formatTable([
          [
            'ID',
            'NAME',
            'ROLE',
            'STATE',
            'CREATED (UTC)',
            'EXPIRES (UTC)',
            'OLD SECRET UNTIL',
            'SCOPES',
          ],
          ...reply.keys.map((k) => [
            k.id,
            k.name,
            k.role,
            k.state,
            at(k.createdAt),
            at(k.expiresAt),
            at(k.previousUntil),
            scopesText(k.scopes),
          ]),
        ]),
      );
    });
  keys
    .command('revoke')
    .description('refuse a key from now on, on every member; its open connections are closed')
    .argument('<id>', 'the key, as dtf keys list shows it')
    .action(async (id: string, _options: unknown, command: Command) => {
      const path = `/api/keys/${encodeURIComponent(id)}/revoke`;
      const { key } = await restPostChecked(coordinatorAccess(command), path, undefined, KeyReply);
      printLine(`revoked key ${key.id} '${key.name}' (${key.role})`);
    });
  keys
    .command('rotate')
    .description('a new secret for a key; the old one keeps working for a grace period')
    .argument('<id>', 'the key, as dtf keys list shows it')
    .option('--grace <duration>', `how long the old secret still works (default 1h): ${GRACE_HINT}`)
    .option('--json', 'print the key and its new secret as JSON')
    .action(async (id: string, options: { grace?: string; json?: boolean }, command: Command) => {
      const path = `/api/keys/${encodeURIComponent(id)}/rotate`;
      const body =
        options.grace === undefined ? {} : { graceMs: durationMs(options.grace, '--grace', true) };
      const reply = await restPostChecked(coordinatorAccess(command), path, body, CreatedKeyReply);
      if (options.json === true) printJson(reply);
      else {
        printSecret(reply.key, reply.secret, 'rotated');
        if (reply.key.previousUntil !== undefined) {
          printLine(`the old secret works until ${formatInstant(reply.key.previousUntil)} UTC`);
        }
      }
    });
}
