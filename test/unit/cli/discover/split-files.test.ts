import { describe, expect, it } from 'vitest';
import {
  type DiscoveredProject,
  type MeasuredDurations,
  splitFiles,
} from '../../../../cli/discover/split-files.js';
import { VitestProject } from '../../../../protocol/index.js';

const project = (
  files: Array<[string, number]>,
  options: Partial<VitestProject> = {},
): DiscoveredProject => ({
  project: VitestProject.parse({ name: 'app', runner: 'vitest', ...options }),
  dir: '/repo',
  files: files.map(([file, bytes]) => ({ file, bytes })),
});

const none: MeasuredDurations = new Map();
const measured = (entries: Array<[string, number]>): MeasuredDurations =>
  new Map(entries.map(([file, ms]) => [`/repo/${file}`, ms]));

const filesOf = (plan: ReturnType<typeof splitFiles>) =>
  plan.tasks.map((task) => (task.kind === 'vitest' ? task.payload.files : []));

describe('splitFiles', () => {
  it('packs files by their measured durations onto the slots, each task a vitest of one worker', () => {
    const discovered = project([
      ['a.test.ts', 100],
      ['b.test.ts', 100],
      ['c.test.ts', 100],
      ['d.test.ts', 100],
    ]);
    const plan = splitFiles([discovered], {
      slots: 2,
      slotsPerTask: 1,
      measured: measured([
        ['a.test.ts', 900],
        ['b.test.ts', 500],
        ['c.test.ts', 400],
        ['d.test.ts', 100],
      ]),
    });
    expect(filesOf(plan)).toEqual([
      ['a.test.ts', 'd.test.ts'],
      ['b.test.ts', 'c.test.ts'],
    ]);
    expect(plan.expectedMs).toEqual([1_000, 900]);
    expect(plan.tasks.map((t) => t.name)).toEqual(['app 1/2', 'app 2/2']);
    expect(plan.tasks[0]).toMatchObject({
      kind: 'vitest',
      payload: { dir: '/repo', args: ['--maxWorkers=1'], env: {} },
    });
    expect(plan.files).toEqual({ total: 4, measured: 4, inShard: 4 });
  });

  it('estimates unmeasured files from their size at the rate measured ones ran', () => {
    const discovered = project([
      ['known.test.ts', 1_000],
      ['big.test.ts', 4_000],
      ['small.test.ts', 500],
    ]);
    const plan = splitFiles([discovered], {
      slots: 3,
      slotsPerTask: 1,
      measured: measured([['known.test.ts', 200]]),
    });
    // 0.2 ms a byte: big 800, known 200, small 100.
    expect(plan.expectedMs).toEqual([800, 200, 100]);
    expect(plan.files.measured).toBe(1);
  });

  it('keeps the files matched by `together` in one task, a type test taken as unmeasured', () => {
    const discovered = project([
      ['a.test.ts', 1_000],
      ['types.test-d.ts', 1_000],
      ['more.test-d.ts', 1_000],
      ['b.test.ts', 1_000],
    ]);
    const plan = splitFiles([discovered], {
      slots: 3,
      slotsPerTask: 1,
      measured: measured([
        ['a.test.ts', 300],
        ['b.test.ts', 100],
        ['types.test-d.ts', 0],
      ]),
    });
    // 0.2 ms a byte from the measured ones: the two type tests weigh 200 each, together 400.
    expect(filesOf(plan)).toEqual([
      ['more.test-d.ts', 'types.test-d.ts'],
      ['a.test.ts'],
      ['b.test.ts'],
    ]);
    expect(plan.expectedMs).toEqual([400, 300, 100]);
  });

  it("runs one vitest process a worker's slots wide, the files spread over its workers", () => {
    const discovered = project(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((name): [string, number] => [`${name}.test.ts`, 100]),
    );
    const plan = splitFiles([discovered], { slots: 4, slotsPerTask: 2, measured: none });
    expect(plan.tasks).toHaveLength(2);
    expect(plan.tasks[0]).toMatchObject({ requirements: { slots: 2 }, payload: { args: [] } });
    expect(filesOf(plan).flat().sort()).toHaveLength(6);
    expect(plan.expectedMs[0]).toBeCloseTo((3 * 100 * 50) / 1_024 / 2);
  });

  it('leaves the parallelism alone where the arguments set it', () => {
    const discovered = project([['a.test.ts', 1]], { args: ['--typecheck', '--maxWorkers=3'] });
    const [task] = splitFiles([discovered], { slots: 4, slotsPerTask: 1, measured: none }).tasks;
    expect(task).toMatchObject({
      name: 'app',
      payload: { args: ['--typecheck', '--maxWorkers=3'] },
    });
  });

  it('splits the files into disjoint shards that together hold every file', () => {
    const names = Array.from({ length: 23 }, (_, i) => `t${String(i).padStart(2, '0')}.test.ts`);
    const discovered = project(names.map((name, i) => [name, 100 + ((i * 37) % 11) * 50]));
    const shards = [1, 2, 3].map((current) =>
      splitFiles([discovered], {
        slots: 2,
        slotsPerTask: 1,
        shard: { current, total: 3 },
        measured: none,
      }),
    );
    const all = shards.flatMap((plan) => filesOf(plan).flat());
    expect(all.sort()).toEqual(names);
    for (const plan of shards) expect(plan.files.total).toBe(23);
    expect(shards[1]!.tasks[0]!.name).toBe('app 1/2 (shard 2/3)');
    expect(shards.reduce((n, plan) => n + plan.files.inShard, 0)).toBe(23);
  });

  it("applies the config's timeout and retries to every task", () => {
    const plan = splitFiles([project([['a.test.ts', 1]])], {
      slots: 1,
      slotsPerTask: 1,
      measured: none,
      task: { timeoutMs: 60_000, retry: { maxRetries: 2 } },
    });
    expect(plan.tasks[0]).toMatchObject({ timeoutMs: 60_000, retry: { maxRetries: 2 } });
  });

  it('splits a file far longer than its share by its tests, every test in exactly one slice', () => {
    const discovered = project([
      ['slow.test.ts', 100],
      ['a.test.ts', 100],
      ['b.test.ts', 100],
    ]);
    const tests = new Map([
      [
        '/repo/slow.test.ts',
        [
          { name: 'loads (a.onnx)', durationMs: 2_000 },
          { name: 'runs [b|c]', durationMs: 2_000 },
          { name: 'checks', durationMs: 1_500 },
          { name: 'checks', durationMs: 500 },
        ],
      ],
    ]);
    const plan = splitFiles([discovered], {
      slots: 4,
      slotsPerTask: 2,
      measured: measured([
        ['slow.test.ts', 6_400],
        ['a.test.ts', 300],
        ['b.test.ts', 300],
      ]),
      tests,
    });
    const slices = plan.tasks.filter((t) => t.kind === 'vitest' && t.payload.testNamePattern);
    expect(slices.map((t) => t.name)).toEqual([
      'app slow.test.ts (tests 1/3)',
      'app slow.test.ts (tests 2/3)',
      'app slow.test.ts (tests 3/3)',
    ]);
    const patterns = slices.map(
      (t) => new RegExp((t.payload as { testNamePattern: string }).testNamePattern),
    );
    for (const name of ['loads (a.onnx)', 'runs [b|c]', 'checks', 'a test added since']) {
      expect(
        patterns.filter((p) => p.test(name)),
        name,
      ).toHaveLength(1);
    }
    for (const slice of slices) {
      expect(slice).toMatchObject({
        payload: { files: ['slow.test.ts'], args: ['--maxWorkers=1'] },
      });
    }
    // The other files share the one slot left: a task of one slot.
    expect(filesOf(plan).filter((_files, i) => !slices.includes(plan.tasks[i]!))).toEqual([
      ['a.test.ts', 'b.test.ts'],
    ]);
    // Each slice pays the file's set-up (6.4 s less 6 s of tests) again.
    expect(plan.expectedMs.slice(0, 3).sort()).toEqual([2_400, 2_400, 2_400]);
  });

  it('leaves a long file whole when its tests are unknown, or it is the only one', () => {
    const discovered = project([
      ['slow.test.ts', 100],
      ['a.test.ts', 100],
    ]);
    const options = {
      slots: 4,
      slotsPerTask: 1,
      measured: measured([
        ['slow.test.ts', 6_000],
        ['a.test.ts', 100],
      ]),
    };
    const whole = (plan: ReturnType<typeof splitFiles>) =>
      plan.tasks.every((t) => t.kind === 'vitest' && t.payload.testNamePattern === undefined);
    expect(whole(splitFiles([discovered], options))).toBe(true);
    const oneTest = new Map([['/repo/slow.test.ts', [{ name: 'only', durationMs: 6_000 }]]]);
    expect(whole(splitFiles([discovered], { ...options, tests: oneTest }))).toBe(true);
  });
});
