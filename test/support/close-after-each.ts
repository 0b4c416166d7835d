import { afterEach } from 'vitest';

type Closers = Record<string, (value: never) => unknown>;

/** Registers what a test opened under its closer's name; `forget` drops one the test closed. */
export type OpenedInTest<C extends Closers> = {
  [K in keyof C]: (value: Parameters<C[K]>[0]) => Parameters<C[K]>[0];
} & { forget(name: keyof C): void };

/**
 * For a `describe` whose tests each open a few things (a fake coordinator, a client, a
 * worker): `opened.<name>(value)` registers `value` and returns it; after each test the
 * registered values are closed one after another, in the order of `closers`, then forgotten.
 */
export function closeAfterEach<C extends Closers>(closers: C): OpenedInTest<C> {
  const names = Object.keys(closers) as (keyof C & string)[];
  const registered = new Map<keyof C, unknown>();
  afterEach(async () => {
    for (const name of names) {
      const close = closers[name] as (value: unknown) => unknown;
      if (registered.has(name)) await close(registered.get(name));
    }
    registered.clear();
  });
  const opened: Record<string, unknown> = {
    forget: (name: keyof C) => registered.delete(name),
  };
  for (const name of names) {
    opened[name] = (value: unknown) => {
      registered.set(name, value);
      return value;
    };
  }
  return opened as OpenedInTest<C>;
}
