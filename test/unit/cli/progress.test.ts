import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatProgressLine } from '../../../cli/progress/progress-line.js';
import { ProgressReporter } from '../../../cli/progress/progress-reporter.js';
import { zeroStateCounts } from '../../../protocol/index.js';

const none = zeroStateCounts();

describe('formatProgressLine', () => {
  it('shows done of total, running, queued and failed', () => {
    expect(
      formatProgressLine(
        { ...none, succeeded: 10, failed: 1, timed_out: 1, running: 2, assigned: 1, queued: 185 },
        200,
      ),
    ).toBe('12/200 done · 3 running · 185 queued · 2 failed');
  });

  it('mentions cancelled tasks only when there are some', () => {
    expect(formatProgressLine({ ...none, cancelled: 2 }, 2)).toBe(
      '2/2 done · 0 running · 0 queued · 0 failed · 2 cancelled',
    );
  });
});

describe('ProgressReporter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const stream = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, isTTY, write: (text: string) => writes.push(text) };
  };

  it('without a TTY writes a line at most every two seconds, and only changes', () => {
    const out = stream(false);
    const reporter = new ProgressReporter(out);
    reporter.update('a');
    reporter.update('b');
    reporter.update('c');
    expect(out.writes).toEqual(['a\n']);
    vi.advanceTimersByTime(2_000);
    expect(out.writes).toEqual(['a\n', 'c\n']);
    reporter.update('c');
    vi.advanceTimersByTime(5_000);
    reporter.finish();
    expect(out.writes).toEqual(['a\n', 'c\n']);
  });

  it('on a TTY redraws one line and ends it on finish', () => {
    const out = stream(true);
    const reporter = new ProgressReporter(out);
    reporter.update('1/2 done');
    reporter.update('2/2 done');
    reporter.finish();
    expect(out.writes).toEqual(['\r\x1b[2K1/2 done', '\r\x1b[2K2/2 done', '\n']);
  });
});
