import { describe, expect, test } from 'vitest';
import { lastLines, OutputTail } from '../../../../node-worker/runners/output-tail.js';

describe('OutputTail', () => {
  test('keeps everything while under the limit', () => {
    const tail = new OutputTail(10);
    tail.push(Buffer.from('abc'));
    tail.push(Buffer.from('def'));
    expect(tail.text()).toBe('abcdef');
    expect(tail.truncated).toBe(false);
  });

  test('keeps the last bytes across chunks', () => {
    const tail = new OutputTail(5);
    for (const chunk of ['0123', '4567', '89']) tail.push(Buffer.from(chunk));
    expect(tail.text()).toBe('56789');
    expect(tail.truncated).toBe(true);
  });

  test('drops a UTF-8 sequence cut at the start', () => {
    const tail = new OutputTail(4);
    tail.push(Buffer.from('xé€')); // 1 + 2 + 3 bytes; the last 4 cut 'é' in half
    expect(tail.text()).toBe('€');
  });
});

describe('lastLines', () => {
  test('keeps the last lines, without trailing blank ones', () => {
    expect(lastLines('a\nb\nc\n\n', 2)).toBe('b\nc');
    expect(lastLines('only', 5)).toBe('only');
    expect(lastLines('  \n')).toBe('');
  });

  test('keeps at most the last characters of long lines, marking the cut', () => {
    expect(lastLines(`${'x'.repeat(10)}\nend`, 5, 6)).toBe('…xx\nend');
  });
});
