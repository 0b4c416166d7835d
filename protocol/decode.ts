import type { z } from 'zod';
import { type JsonOutline, outlineJson, parseOutlined, preview, shorten } from './bounded-json.js';
import type { ProtocolError } from './errors.js';
import { MAX_JSON_DEPTH } from './message-bounds.js';
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
    const name = shorten(String(key));
    out += typeof key === 'number' ? `[${key}]` : out === '' ? name : `.${name}`;
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

/** The most characters of one issue's text (zod lists unknown keys, which may be long). */
const MAX_ISSUE_LENGTH = 300;

/** Turns zod issues into one line naming each bad field; never quotes the input whole. */
export function describeIssues(error: z.ZodError, input?: unknown): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = formatPath(issue.path);
      const at = path === '' ? '' : `${path}: `;
      if (issue.code === 'invalid_union' && path.endsWith('kind') && 'options' in issue) {
        const given = preview(valueAt(input, issue.path));
        return `${at}unknown task kind ${given} (known kinds: ${TASK_KINDS.join(', ')})`;
      }
      return shorten(`${at}${issue.message}`, { maxLength: MAX_ISSUE_LENGTH });
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

export interface DecodeOptions {
  /** Characters of JSON text a message of each type may have, checked before it is parsed. */
  maxLengths?: { readonly [type: string]: number | undefined };
  /** Different object keys a message may use, counted before it is parsed. */
  maxDistinctKeys?: number;
  /**
   * Asked with the message's type before its body is parsed (a permission check): an error
   * refuses the message unread.
   */
  admit?: (type: string) => ProtocolError | undefined;
}

/**
 * Parses one wire message: its text within bounds (depth always, key count and length by type
 * as `options` say), a known `type` read from the text and admitted, then JSON, the protocol
 * version and the schema. A text without a known type is never parsed. Each failure names the
 * problem; nothing is thrown, whatever the input.
 */
export function decodeMessage<T>(
  raw: string,
  schema: MessageUnion<T>,
  options: DecodeOptions = {},
): Decoded<T> {
  const types = messageTypes(schema);
  const outlined = outlineJson(raw, {
    maxDepth: MAX_JSON_DEPTH,
    ...(options.maxDistinctKeys === undefined ? {} : { maxDistinctKeys: options.maxDistinctKeys }),
  });
  if (!outlined.ok) return outlined;
  const { outline } = outlined;
  const { type } = outline;
  const fail = (error: ProtocolError): Decoded<T> =>
    outline.id === undefined ? { ok: false, error } : { ok: false, error, id: outline.id };
  // Without a known type nothing is parsed: what the outline tells is answer enough.
  if (type === undefined || !types.includes(type)) return fail(withoutKnownType(outline, types));
  const refused = tooLong(type, raw.length, options.maxLengths?.[type]) ?? options.admit?.(type);
  if (refused !== undefined) return fail(refused);
  const parsed = parseOutlined(raw, outline);
  if (!parsed.ok) return parsed;
  // An object: the outline found its top-level `type`, as JSON.parse reads it.
  const record = parsed.value as Record<string, unknown>;
  if (record.v !== PROTOCOL_VERSION) {
    return fail({
      code: 'unsupported_version',
      message: `unsupported protocol version ${preview(record.v)} (expected v${PROTOCOL_VERSION})`,
    });
  }
  const checked = parseWith(schema, record, `'${type}' message`);
  return checked.ok || outline.id === undefined ? checked : { ...checked, id: outline.id };
}

/** Why a text whose outline has no type of `types` is no message. */
function withoutKnownType(outline: JsonOutline, types: readonly string[]): ProtocolError {
  switch (outline.root) {
    case 'malformed':
      return { code: 'bad_json', message: `malformed JSON: ${outline.problem}` };
    case 'value':
      return { code: 'invalid_message', message: 'a message must be a JSON object' };
    case 'object': {
      const got = outline.type === undefined ? 'no type' : `'${shorten(outline.type)}'`;
      return {
        code: 'unknown_type',
        message: `unknown message type ${got} (expected one of: ${types.join(', ')})`,
      };
    }
  }
}

/** The refusal of a message of `type` longer than `maxLength`, if it is. */
function tooLong(
  type: string,
  length: number,
  maxLength: number | undefined,
): ProtocolError | undefined {
  if (maxLength === undefined || length <= maxLength) return undefined;
  return {
    code: 'message_too_large',
    message: `a '${type}' message may be at most ${maxLength} characters; this one has ${length}`,
  };
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
