/** `850 ms`, `12.3 s`, `4 min`, `2 h 05 min`, `3 d 4 h`: short enough for a cell. */
export function age(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export const time = (ms: number) => new Date(ms).toLocaleTimeString();

export const firstLine = (text: string) => text.split('\n', 1)[0] ?? '';
