import type { ProtocolError } from './errors.js';
import { MAX_REQUEST_ID_LENGTH } from './limits.js';

/** What the text of one JSON document may hold, checked by `outlineJson` before any parse. */
export interface JsonBounds {
  /** Nesting of objects and arrays. */
  maxDepth: number;
  /**
   * Different object key names: each new name costs `JSON.parse` about a hundred times what a
   * repeated one does (a few µs), so a message of fresh names stalls it for seconds.
   */
  maxDistinctKeys?: number;
}

/** What a scan found: the text's top-level `type` and `id`, and what the text is as a whole. */
export interface JsonOutline {
  /** The top-level `type`, when it is a string. */
  type?: string;
  /** The top-level `id`, when it is a string of at most `MAX_REQUEST_ID_LENGTH` characters. */
  id?: string;
  /**
   * The whole text, as far as its brackets and quotes tell (the grammar between them is not
   * checked): one `object` with nothing after it, another `value` (an array, a string, a
   * number, a literal), or `malformed` (`problem` says where).
   */
  root: 'object' | 'value' | 'malformed';
  /** What makes the text `malformed`, as `JSON.parse` would see it first. */
  problem?: string;
}

export type Outlined =
  | { ok: true; outline: JsonOutline }
  | { ok: false; error: ProtocolError; id?: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** `"type"` spelled with `\u` escapes is 24 characters: a longer escaped key is neither name. */
const LONGEST_ESCAPED_NAME = 24;

/**
 * One pass over a JSON text, without building anything: refuses it once it nests deeper or
 * uses more different keys than `bounds` allow, and picks out the top-level `type`
 * and `id` as `JSON.parse` would read them (the last one wins). It does not check the grammar:
 * on malformed text it stops, and `JSON.parse` names the problem, having read no further;
 * what it can tell without the grammar is in `root`.
 */
export function outlineJson(text: string, bounds: JsonBounds): Outlined {
  const { maxDepth } = bounds;
  const maxKeys = bounds.maxDistinctKeys ?? Number.POSITIVE_INFINITY;
  const keys = Number.isFinite(maxKeys) ? new Set<string>() : undefined;
  // For each open container, whether it is an object; index 0 is the document itself.
  const inObject = new Uint8Array(maxDepth + 1);
  const outline: Omit<JsonOutline, 'root'> = {};
  let depth = 0;
  // Where the first top-level value closed; -1 until it has.
  let closedAt = -1;
  let unterminated = false;
  let expectKey = false;
  // The top-level member whose value comes next, when it is `type` or `id`.
  let pending: 'type' | 'id' | undefined;
  const refuse = (error: ProtocolError): Outlined =>
    outline.id === undefined ? { ok: false, error } : { ok: false, error, id: outline.id };

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (end === -1) {
        unterminated = true;
        break;
      }
      if (expectKey) {
        expectKey = false;
        if (keys !== undefined) {
          const key = text.slice(i + 1, end);
          if (!keys.has(key)) {
            if (keys.size >= maxKeys) {
              return refuse({
                code: 'message_too_large',
                message: `more than ${maxKeys} different object keys`,
              });
            }
            keys.add(key);
          }
        }
        if (depth === 1) {
          pending = memberName(text, i, end);
          if (pending !== undefined) delete outline[pending];
        }
      } else if (depth === 1 && pending !== undefined) {
        const value = stringAt(text, i, end);
        if (pending === 'type') outline.type = value;
        else if (value !== undefined && value.length <= MAX_REQUEST_ID_LENGTH) outline.id = value;
        pending = undefined;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 1) pending = undefined;
      if (++depth > maxDepth) {
        return refuse({
          code: 'invalid_message',
          message: `JSON nested deeper than ${maxDepth} levels of objects and arrays`,
        });
      }
      inObject[depth] = c === OPEN_OBJECT ? 1 : 0;
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 0) break;
      depth--;
      if (depth === 0 && closedAt === -1) closedAt = i;
      expectKey = false;
    } else if (c === COMMA) {
      if (depth === 1) pending = undefined;
      expectKey = inObject[depth] === 1;
    }
  }
  return { ok: true, outline: { ...outline, ...rootOf(text, closedAt, unterminated) } };
}

/** What can begin a JSON value other than an object. */
const VALUE_START = /^[["\-0-9tfn]$/;

/** `JsonOutline.root` of a text whose first top-level container closed at `closedAt`. */
function rootOf(
  text: string,
  closedAt: number,
  unterminated: boolean,
): Pick<JsonOutline, 'root' | 'problem'> {
  const malformed = (problem: string) => ({ root: 'malformed' as const, problem });
  const start = skipSpace(text, 0);
  if (start === text.length) return malformed('the text is empty');
  const first = text.charAt(start);
  if (first !== '{') {
    if (VALUE_START.test(first)) return { root: 'value' };
    return malformed(`unexpected ${JSON.stringify(first)} at position ${start}`);
  }
  if (closedAt === -1) {
    return malformed(`the text ends inside ${unterminated ? 'a string' : 'the object'}`);
  }
  const after = skipSpace(text, closedAt + 1);
  if (after === text.length) return { root: 'object' };
  return malformed(`text after the end of the object, at position ${after}`);
}

/** The index of the first character from `from` on that is not JSON whitespace. */
function skipSpace(text: string, from: number): number {
  let i = from;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
  }
  return i;
}

/** The index of the quote that ends the string starting at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  let end = start;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end === -1) return -1;
    let backslash = end - 1;
    while (text.charCodeAt(backslash) === BACKSLASH) backslash--;
    // An even run of backslashes escapes itself, not the quote.
    if ((end - 1 - backslash) % 2 === 0) return end;
  }
}

/** The key between the quotes at `start` and `end` when it is `type` or `id`. */
function memberName(text: string, start: number, end: number): 'type' | 'id' | undefined {
  const length = end - start - 1;
  let name: string | undefined;
  if (length === 4 || length === 2) name = text.slice(start + 1, end);
  else if (length <= LONGEST_ESCAPED_NAME) name = stringAt(text, start, end);
  return name === 'type' || name === 'id' ? name : undefined;
}

/** The string between the quotes at `start` and `end`, escapes read; undefined if malformed. */
function stringAt(text: string, start: number, end: number): string | undefined {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return undefined;
  }
}

export type ParsedJson =
  | { ok: true; value: unknown; outline: JsonOutline }
  | { ok: false; error: ProtocolError; id?: string };

/** `outlineJson`, then `JSON.parse` of a text that passed; never throws. */
export function parseBoundedJson(text: string, bounds: JsonBounds): ParsedJson {
  const outlined = outlineJson(text, bounds);
  if (!outlined.ok) return outlined;
  return parseOutlined(text, outlined.outline);
}

/** `JSON.parse` of a text `outlineJson` passed; a `bad_json` error naming the problem. */
export function parseOutlined(text: string, outline: JsonOutline): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text), outline };
  } catch (err) {
    const error: ProtocolError = {
      code: 'bad_json',
      message: `malformed JSON: ${(err as Error).message}`,
    };
    return outline.id === undefined ? { ok: false, error } : { ok: false, error, id: outline.id };
  }
}

/** At most this many characters of a value go into an error message. */
const PREVIEW_LENGTH = 40;

/**
 * `text` for an error message: cut to `maxLength` characters, with a note of its length, when
 * longer; `quoted`, what is kept is written as a JSON string.
 */
export function shorten(
  text: string,
  { maxLength = PREVIEW_LENGTH, quoted = false }: { maxLength?: number; quoted?: boolean } = {},
): string {
  const write = (kept: string) => (quoted ? JSON.stringify(kept) : kept);
  if (text.length <= maxLength) return write(text);
  return `${write(text.slice(0, maxLength))}… (${text.length} characters)`;
}

/**
 * A short description of an untrusted value for an error message: a primitive as JSON
 * (a string cut to `PREVIEW_LENGTH` characters), an object or array by its kind and size.
 * Never walks into the value, so no depth or size of it can make this slow or throw.
 */
export function preview(value: unknown): string {
  if (typeof value === 'string') return shorten(value, { quoted: true });
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}
