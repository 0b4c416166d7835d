/** Keeps only the last `limitBytes` bytes of a stream, so a chatty process cannot exhaust memory. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;

  constructor(private readonly limitBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.chunks.length > 1 && this.keptBytes - this.chunks[0]!.length >= this.limitBytes) {
      const dropped = this.chunks.shift()!;
      this.keptBytes -= dropped.length;
      this.droppedBytes += dropped.length;
    }
  }

  get truncated(): boolean {
    return this.droppedBytes > 0 || this.keptBytes > this.limitBytes;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    let tail = all.subarray(Math.max(0, all.length - this.limitBytes));
    // A cut may land inside a UTF-8 sequence; drop its continuation bytes rather than decode garbage.
    if (this.truncated) {
      let start = 0;
      while (start < tail.length && start < 3 && (tail[start]! & 0xc0) === 0x80) start++;
      tail = tail.subarray(start);
    }
    return tail.toString('utf8');
  }
}

/** The last `maxLines` lines of `text`, at most `maxChars` of them: enough to quote in an error. */
export function lastLines(text: string, maxLines = 20, maxChars = 2_000): string {
  const kept = text.trimEnd().split('\n').slice(-maxLines).join('\n');
  return kept.length <= maxChars ? kept : `…${kept.slice(-maxChars)}`;
}
