import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatProgressLine } from '../../../../cli/progress/progress-line.js';
import { ProgressReporter } from '../../../../cli/progress/progress-reporter.js';
import { zeroStateCounts } from '../../../../protocol/index.js';

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

  it('counts skipped tasks as done', () => {
    expect(formatProgressLine({ ...none, succeeded: 1, skipped: 2 }, 3)).toBe(
      '3/3 done · 0 running · 0 queued · 0 failed · 2 skipped',
    );
  });

  it('says why queued tasks wait, the most frequent reason first, two at most', () => {
    const counts = { ...none, queued: 9 };
    const notes = [
      { note: 'unschedulable: no worker with label gpu=a100', count: 2, atLeast: false },
      { note: 'unschedulable: no chrome browser worker', count: 6, atLeast: false },
      { note: 'waiting: every worker that could run it is held back', count: 1, atLeast: false },
    ];
    expect(formatProgressLine(counts, 9, notes)).toBe(
      '0/9 done · 0 running · 9 queued · 0 failed · 6 unschedulable: no chrome browser worker · 2 unschedulable: no worker with label gpu=a100 · 1 more reason(s)',
    );
    expect(formatProgressLine(counts, 9, [{ ...notes[1]!, atLeast: true }])).toBe(
      '0/9 done · 0 running · 9 queued · 0 failed · 6+ unschedulable: no chrome browser worker',
    );
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

  it('writes interjected lines above the redrawn line, which comes back after them', () => {
    const tty = stream(true);
    const reporter = new ProgressReporter(tty);
    reporter.interject('placed');
    reporter.update('committed 1');
    reporter.interject('lost a worker');
    expect(tty.writes).toEqual([
      'placed\n',
      '\r\x1b[2Kcommitted 1',
      '\r\x1b[2Klost a worker\ncommitted 1',
    ]);
    const log = stream(false);
    const logged = new ProgressReporter(log);
    logged.update('committed 1');
    logged.interject('lost a worker');
    expect(log.writes).toEqual(['committed 1\n', 'lost a worker\n']);
  });
});
