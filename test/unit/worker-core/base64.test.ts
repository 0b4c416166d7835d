import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../worker-core/base64.js';

describe('base64 of activation bytes', () => {
  it('round-trips every byte value and sizes past one chunk, as Node encodes them', () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 31) % 256);
    const text = toBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(fromBase64(text)).toEqual(bytes);
    expect(toBase64(new Uint8Array(0))).toBe('');
  });

  it('refuses text that is not base64', () => {
    expect(() => fromBase64('not base64!')).toThrow();
  });
});
