import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

export interface TourLine {
  command: string;
  /** The comment after it on the same line ('' if none): often what the command prints. */
  comment: string;
}

/**
 * The commands of the README's "Five-minute tour" code block, in order, as a shell reads them
 * (continued lines joined, comment lines and blank lines dropped), each with its comment.
 */
export function readmeTour(): TourLine[] {
  const text = readFileSync(README, 'utf8');
  const section = text.indexOf('\n## Five-minute tour\n');
  const open = text.indexOf('\n```sh\n', section);
  const close = text.indexOf('\n```\n', open + 1);
  if (section === -1 || open === -1 || close === -1) {
    throw new Error(`${README} has no "## Five-minute tour" section with a sh code block`);
  }
  return text
    .slice(open + '\n```sh\n'.length, close)
    .replace(/\s*\\\n\s*/g, ' ')
    .split('\n')
    .map(splitComment)
    .filter((line) => line.command !== '');
}

/** A `#` starts a comment outside quotes, at the start of a line or after a blank. */
function splitComment(line: string): TourLine {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return { command: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
    }
  }
  return { command: line.trim(), comment: '' };
}
