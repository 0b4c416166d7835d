/** Runs `job(0)` … `job(count - 1)`, at most `limit` at a time, in order of start. */
export async function runConcurrently(
  count: number,
  limit: number,
  job: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}
