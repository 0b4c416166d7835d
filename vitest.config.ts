import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
          // Pure and fast: two workers (vitest's default here is one fewer than the cores), each
          // keeping the modules it loaded from one file to the next.
          maxWorkers: 2,
          isolate: false,
        },
      },
      {
        // Deterministic simulation of the pure Raft core: no processes, no I/O, no setup.
        test: {
          name: 'sim',
          include: ['test/sim/**/*.test.ts'],
          testTimeout: 60_000,
          maxWorkers: 2,
          isolate: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/build.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Two files at a time: their processes mostly wait (on heartbeats, exits, events), and
          // every test holds on a loaded machine (npm run test:stress). 360 s to 270 s here.
          // After the unit and sim group, before the one-file-at-a-time chaos and e2e.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          globalSetup: ['test/support/build.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Chaos tests kill and restart real processes; two cores are shared between them.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/build.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Real browsers and coordinators; two cores are shared between them.
          fileParallelism: false,
        },
      },
    ],
  },
});
