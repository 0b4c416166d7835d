import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../cli/config/load-config.js';
import { starterConfig } from '../../../../cli/config/starter-config.js';

describe('the config dtf init writes', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** The starter config as `dtf run` loads it: bundled, imported and checked. */
  async function loaded(text: string) {
    const dir = mkdtempSync(join(tmpdir(), 'dtf-init-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'dtf.config.ts'), text);
    return (await loadConfig(join(dir, 'dtf.config.ts'))).config;
  }

  it('loads as written: a vitest project, its --typecheck kept, the data kept in .dtf', async () => {
    const config = await loaded(starterConfig({ vitest: true, typecheck: true }));
    expect(config.projects).toEqual([
      expect.objectContaining({ name: 'unit', args: ['--typecheck'] }),
    ]);
    expect(config.dataDir).toBe('.dtf');
    expect(config.matrix).toBeUndefined();
  });

  it("turns the matrix on over the project's models when it has some", async () => {
    const config = await loaded(
      starterConfig({ vitest: true, typecheck: false, models: 'models/**/*.onnx' }),
    );
    expect(config.matrix?.models).toEqual(['models/**/*.onnx']);
    expect(config.projects[0]).toMatchObject({ args: [] });
  });
});
