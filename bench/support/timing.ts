/** Operations per second of `operations` done by `work`, timed by the monotonic clock. */
export async function measureRate(operations: number, work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return operations / seconds;
}
