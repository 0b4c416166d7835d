import type { z } from 'zod';
import type { ProtocolError } from './errors.js';
import { TASK_KINDS } from './task-kinds.js';
import { PROTOCOL_VERSION } from './version.js';

export type Decoded<T> =
  | { ok: true; message: T }
  | { ok: false; error: ProtocolError; id?: string };

/** A schema that is a discriminated union on `type`, as every message family is. */
interface MessageUnion<T> extends z.ZodType<T> {
  options: ReadonlyArray<{ shape: { type: { value: string } } } | z.ZodType>;
}

function messageTypes(schema: MessageUnion<unknown>): string[] {
  const types: string[] = [];
  for (const option of schema.options) {
    const shape = (option as { shape?: { type?: { value?: unknown } } }).shape;
    const value = shape?.type?.value;
    if (typeof value === 'string') types.push(value);
  }
  return types;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Turns zod issues into one line naming each bad field. */
export function describeIssues(error: z.ZodError, input?: unknown): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = formatPath(issue.path);
      const at = path === '' ? '' : `${path}: `;
      if (issue.code === 'invalid_union' && path.endsWith('kind') && 'options' in issue) {
        const given = JSON.stringify(valueAt(input, issue.path));
        return `${at}unknown task kind ${given} (known kinds: ${TASK_KINDS.join(', ')})`;
      }
      return `${at}${issue.message}`;
    })
    .join('; ');
}

function isUnknownTaskKind(error: z.ZodError): boolean {
  return error.issues.some(
    (issue) =>
      issue.code === 'invalid_union' &&
      issue.path[issue.path.length - 1] === 'kind' &&
      issue.path.includes('tasks'),
  );
}

/**
 * Parses one wire message: JSON, then a known `type`, then the protocol version, then the
 * schema. Each failure names the problem; nothing is thrown.
 */
export function decodeMessage<T>(raw: string, schema: MessageUnion<T>): Decoded<T> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return {
      ok: false,
      error: { code: 'bad_json', message: `malformed JSON: ${(err as Error).message}` },
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      error: { code: 'invalid_message', message: 'a message must be a JSON object' },
    };
  }
  const record = value as Record<string, unknown>;
  const id = typeof record.id === 'string' ? record.id : undefined;
  const fail = (error: ProtocolError): Decoded<T> =>
    id === undefined ? { ok: false, error } : { ok: false, error, id };
  const types = messageTypes(schema);
  if (typeof record.type !== 'string' || !types.includes(record.type)) {
    const got = typeof record.type === 'string' ? `'${record.type}'` : 'no type';
    return fail({
      code: 'unknown_type',
      message: `unknown message type ${got} (expected one of: ${types.join(', ')})`,
    });
  }
  if (record.v !== PROTOCOL_VERSION) {
    return fail({
      code: 'unsupported_version',
      message: `unsupported protocol version ${JSON.stringify(record.v)} (expected v${PROTOCOL_VERSION})`,
    });
  }
  const checked = parseWith(schema, value, `'${record.type}' message`);
  return checked.ok || id === undefined ? checked : { ...checked, id };
}

/** Validates an already parsed value; the error names each bad field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): Decoded<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  return {
    ok: false,
    error: {
      code: isUnknownTaskKind(parsed.error) ? 'unknown_task_kind' : 'invalid_message',
      message: `invalid ${what}: ${describeIssues(parsed.error, value)}`,
    },
  };
}
