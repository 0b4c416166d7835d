import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandTasks } from '../../../../cli/specs/command-tasks.js';
import { newGroupId } from '../../../../cli/specs/group-id.js';
import { applySubmitOverrides } from '../../../../cli/specs/submit-options.js';
import { readTaskFile } from '../../../../cli/specs/task-file.js';
import { validateTaskSpecs } from '../../../../cli/specs/validate-specs.js';

describe('task specs from --command', () => {
  it('builds count shell tasks with the flags applied', () => {
    const raw = commandTasks('npm test | tee log', 2).map((spec) =>
      applySubmitOverrides(spec, {
        priority: 5,
        requiredLabels: { gpu: 'a100' },
        timeoutMs: 60_000,
        defaultGroup: 'run-1',
      }),
    );
    const [first, second] = validateTaskSpecs(raw, '--command');
    expect(first).toMatchObject({
      kind: 'command',
      name: 'npm test | tee log #1',
      payload: { command: 'npm test | tee log', shell: true },
      priority: 5,
      requirements: { labels: { gpu: 'a100' } },
      timeoutMs: 60_000,
      group: 'run-1',
    });
    expect(second?.name).toBe('npm test | tee log #2');
  });

  it('names a single task after its command', () => {
    expect(commandTasks('make', 1)).toEqual([
      { kind: 'command', name: 'make', payload: { command: 'make', shell: true } },
    ]);
  });
});

describe('submit overrides on specs from a file', () => {
  const spec = {
    kind: 'command',
    payload: { command: 'x' },
    group: 'mine',
    requirements: { labels: { os: 'linux' } },
  };

  it('keeps the spec group over the default and merges required labels', () => {
    expect(
      applySubmitOverrides(spec, { requiredLabels: { gpu: 'yes' }, defaultGroup: 'run-1' }),
    ).toEqual({ ...spec, requirements: { labels: { os: 'linux', gpu: 'yes' } } });
  });

  it('lets an explicit --group win', () => {
    expect(applySubmitOverrides(spec, { group: 'g2', defaultGroup: 'g2' }).group).toBe('g2');
  });
});

describe('validateTaskSpecs', () => {
  it('names the source, the task index and the bad field', () => {
    expect(() =>
      validateTaskSpecs(
        [
          { kind: 'command', payload: { command: 'ok' } },
          { kind: 'command', payload: {} },
        ],
        "tasks file 'suite.json'",
      ),
    ).toThrow(/^tasks file 'suite.json' has invalid tasks: task \[1\]: payload\.command: /);
  });

  it('names unknown task kinds', () => {
    expect(() => validateTaskSpecs([{ kind: 'nope', payload: {} }], '--command')).toThrow(
      /task \[0\]: .*unknown task kind "nope"/,
    );
  });
});

describe('readTaskFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dtf-cli-'));
  });
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('reads one spec or an array of them', async () => {
    const one = await write('one.json', '{"kind":"command","payload":{"command":"a"}}');
    const many = await write('many.json', '[{"kind":"command"},{"kind":"vitest"}]');
    await expect(readTaskFile(one)).resolves.toHaveLength(1);
    await expect(readTaskFile(many)).resolves.toHaveLength(2);
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.json');
    await expect(readTaskFile(path)).rejects.toThrow(
      `cannot read tasks file '${path}': no such file`,
    );
  });

  it('names the file and the JSON problem', async () => {
    const path = await write('bad.json', '{"kind": ');
    await expect(readTaskFile(path)).rejects.toThrow(`tasks file '${path}' is not valid JSON: `);
  });

  it('refuses content that is not spec objects', async () => {
    const path = await write('numbers.json', '[{"kind":"command"}, 3]');
    await expect(readTaskFile(path)).rejects.toThrow('but task [1] is a number');
    const empty = await write('empty.json', '[]');
    await expect(readTaskFile(empty)).rejects.toThrow('holds no tasks');
  });
});

describe('newGroupId', () => {
  it('is readable and unique', () => {
    const at = new Date('2025-03-04T05:06:07.890Z');
    expect(newGroupId(at)).toMatch(/^run-20250304T050607-[0-9a-f]{6}$/);
    expect(newGroupId(at)).not.toBe(newGroupId(at));
  });
});
