import { describe, expect, it } from 'vitest';
import { outlineJson, parseBoundedJson, preview } from '../../../protocol/index.js';
import { Prng } from '../../sim/prng.js';

const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('outlineJson', () => {
  it('refuses nesting one level past the bound, and only past it', () => {
    expect(outlineJson(deepArray(32), { maxDepth: 32 })).toMatchObject({ ok: true });
    expect(outlineJson(deepArray(33), { maxDepth: 32 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_message', message: expect.stringMatching(/deeper than 32 levels/) },
    });
  });

  it('refuses a 100,000-deep document without recursing', () => {
    const text = `{"v":${deepArray(100_000)},"type":"heartbeat","id":"r1"}`;
    expect(outlineJson(text, { maxDepth: 32 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_message' },
    });
  });

  it('does not count brackets, braces and quotes inside strings or keys', () => {
    const text = JSON.stringify({ '[[{"': '[[[[{{{{,,,,"\\"', b: ['x\\', '"]'], '\\': { '}': 1 } });
    expect(outlineJson(text, { maxDepth: 2, maxDistinctKeys: 4 })).toMatchObject({ ok: true });
    expect(outlineJson(text, { maxDepth: 1 })).toMatchObject({ ok: false });
  });

  it('refuses more different keys than the bound, however often each repeats', () => {
    const repeated = JSON.stringify(Array.from({ length: 10_000 }, () => ({ a: 1, b: 2 })));
    expect(outlineJson(repeated, { maxDepth: 4, maxDistinctKeys: 2 })).toMatchObject({
      ok: true,
    });
    const wide = `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
    expect(outlineJson(wide, { maxDepth: 4, maxDistinctKeys: 4_096 })).toMatchObject({
      ok: false,
      error: { code: 'message_too_large', message: 'more than 4096 different object keys' },
    });
  });

  it('reads the top-level type and id as JSON.parse does', () => {
    const cases: Array<[string, { type?: string; id?: string }]> = [
      ['{"type":"heartbeat","id":"r1"}', { type: 'heartbeat', id: 'r1' }],
      ['{ "type" : "submit" , "id" : "a\\"b" }', { type: 'submit', id: 'a"b' }],
      ['{"\\u0074ype":"sub\\u006dit"}', { type: 'submit' }],
      ['{"type":"heartbeat","type":"submit"}', { type: 'submit' }],
      ['{"type":"heartbeat","type":5}', {}],
      ['{"type":{"type":"submit"}}', {}],
      ['{"x":{"type":"submit","id":"inner"}}', {}],
      ['[{"type":"submit"}]', {}],
      ['{"type":"query","id":7}', { type: 'query' }],
      [`{"type":"query","id":"${'x'.repeat(129)}"}`, { type: 'query' }],
    ];
    for (const [text, expected] of cases) {
      const outlined = outlineJson(text, { maxDepth: 8 });
      if (!outlined.ok) throw new Error(`refused ${text}`);
      const { type, id } = outlined.outline;
      const parsed = JSON.parse(text) as { type?: unknown; id?: unknown };
      expect({ text, type, id }).toEqual({ text, ...expected });
      if (typeof parsed === 'object' && !Array.isArray(parsed) && typeof parsed.type === 'string') {
        expect(type).toBe(parsed.type);
      }
    }
  });

  it('agrees with JSON.parse on the top-level type of 20,000 random documents', () => {
    // The /ws permission check reads the type from the outline, before JSON.parse runs.
    const seed = 0x5eed;
    const random = new Prng(seed);
    // Each character as it is, JSON-escaped, or as a \\u escape.
    const spell = (text: string) =>
      [...text]
        .map((c) =>
          random.chance(0.3)
            ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
            : JSON.stringify(c).slice(1, -1),
        )
        .join('');
    const space = () => random.pick(['', ' ', '\n\t ']);
    const names = ['type', 'id', 'v', 'tasks', '\\', '"', '{', ']'];
    const scalar = () => random.pick(['"submit"', '"heartbeat"', '1', 'null', '"a\\"b"', '"[{"']);
    const value = (depth: number): string => {
      if (depth > 3 || random.chance(0.4)) return scalar();
      const items = Array.from({ length: random.int(4) }, () => value(depth + 1));
      if (random.chance(0.4)) return `[${items.join(`,${space()}`)}]`;
      return `{${items.map((item) => `${key()}:${space()}${item}`).join(',')}}`;
    };
    const key = () => `"${spell(random.pick(names))}"`;
    for (let i = 0; i < 20_000; i++) {
      const members = Array.from({ length: random.range(1, 5) }, () => {
        const name = random.chance(0.5) ? `"${spell('type')}"` : key();
        const typeValue = `"${spell(random.pick(['submit', 'heartbeat', 'query']))}"`;
        return `${space()}${name}${space()}:${space()}${random.chance(0.6) ? typeValue : value(1)}`;
      });
      const text = `{${members.join(',')}}`;
      const outlined = outlineJson(text, { maxDepth: 8 });
      if (!outlined.ok) throw new Error(`seed ${seed}: refused ${text}`);
      const parsed = JSON.parse(text) as { type?: unknown };
      const expected = typeof parsed.type === 'string' ? parsed.type : undefined;
      expect(outlined.outline.type, `seed ${seed}: ${text}`).toBe(expected);
      expect(outlined.outline.root, `seed ${seed}: ${text}`).toBe('object');
    }
  });

  it('tells an object from another value and from malformed text, as JSON.parse would', () => {
    const cases: Array<[string, 'object' | 'value' | 'malformed', string?]> = [
      ['{}', 'object'],
      [' \n{"a":[1,{"b":"}"}]}\t', 'object'],
      ['[]', 'value'],
      ['"{"', 'value'],
      ['-1', 'value'],
      ['null', 'value'],
      ['', 'malformed', 'the text is empty'],
      [' \r\n', 'malformed', 'the text is empty'],
      ['hello', 'malformed', 'unexpected "h" at position 0'],
      ['{"v":1,"type":', 'malformed', 'the text ends inside the object'],
      ['{"type":"x', 'malformed', 'the text ends inside a string'],
      ['{"type":"x"} {}', 'malformed', 'text after the end of the object, at position 13'],
      ['{}}', 'malformed', 'text after the end of the object, at position 2'],
    ];
    for (const [text, root, problem] of cases) {
      const outlined = outlineJson(text, { maxDepth: 8 });
      if (!outlined.ok) throw new Error(`refused ${text}`);
      const { outline } = outlined;
      expect({ text, root: outline.root, problem: outline.problem }).toEqual({
        text,
        root,
        problem,
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        expect(root, text).toBe('malformed');
        continue;
      }
      const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
      expect(root, text).toBe(isObject ? 'object' : 'value');
    }
  });

  it('stops at malformed text and leaves the naming to JSON.parse', () => {
    for (const text of ['{"a":', '}}}{', '"unterminated', '{"a":[1,2}']) {
      const parsed = parseBoundedJson(text, { maxDepth: 8 });
      expect(parsed).toMatchObject({ ok: false, error: { code: 'bad_json' } });
    }
  });
});

describe('preview', () => {
  it('describes any value in a few characters without walking into it', () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(preview(deep)).toBe('an array of 1');
    expect(preview({ a: deep })).toBe('an object');
    expect(preview('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(40)}"… (1000000 characters)`);
    expect(preview('quantum')).toBe('"quantum"');
    expect(preview(2)).toBe('2');
    expect(preview(null)).toBe('null');
  });
});
