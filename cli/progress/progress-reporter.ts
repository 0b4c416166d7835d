/** Where progress goes; a TTY gets one line redrawn in place. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const TTY_REDRAW_MS = 100;
/** Without a TTY (CI logs), a new line at most this often, and only when something changed. */
const LOG_LINE_MS = 2_000;

/** Shows the latest progress line without flooding the stream when events come fast. */
export class ProgressReporter {
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private latest = '';
  private shown = '';
  private lastShownAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly stream: ProgressStream) {
    this.tty = stream.isTTY === true;
    this.intervalMs = this.tty ? TTY_REDRAW_MS : LOG_LINE_MS;
  }

  update(line: string): void {
    this.latest = line;
    if (this.timer !== undefined) return;
    const wait = this.lastShownAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.show();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.show();
    }, wait);
    this.timer.unref();
  }

  /**
   * Writes a line that stays, above the progress line: on a TTY the redrawn line is cleared
   * first and drawn again after it.
   */
  interject(line: string): void {
    if (!this.tty || this.shown === '') {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`\r\x1b[2K${line}\n${this.shown}`);
  }

  /** Shows the last line if it is not on screen yet and ends the redrawn line. */
  finish(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.show();
    if (this.tty && this.shown !== '') this.stream.write('\n');
  }

  private show(): void {
    if (this.latest === this.shown) return;
    this.stream.write(this.tty ? `\r\x1b[2K${this.latest}` : `${this.latest}\n`);
    this.shown = this.latest;
    this.lastShownAt = Date.now();
  }
}
