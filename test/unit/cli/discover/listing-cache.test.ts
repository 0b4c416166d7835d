import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedListing, keepListing, listingKey } from '../../../../cli/discover/listing-cache.js';
import { VitestProject } from '../../../../protocol/index.js';

const project = VitestProject.parse({ name: 'unit', runner: 'vitest' });

describe('the vitest listing cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dtf-listing-'));
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'test/a.test.ts'), '');
    writeFileSync(
      join(dir, 'vitest.config.ts'),
      'export default { test: { include: [process.env.ONLY ?? "**"] } };',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers what was kept under the same key, and nothing under another', async () => {
    const key = await listingKey(project, dir);
    expect(await cachedListing(project, dir, key)).toBeUndefined();
    await keepListing(project, dir, key, ['test/a.test.ts']);
    expect(await cachedListing(project, dir, key)).toEqual(['test/a.test.ts']);
    expect(await cachedListing(project, dir, `${key}x`)).toBeUndefined();
    const other = VitestProject.parse({ name: 'e2e', runner: 'vitest' });
    expect(await cachedListing(other, dir, key)).toBeUndefined();
  });

  it('changes its key when a source file comes or goes, or the config, arguments or its env do', async () => {
    const key = await listingKey(project, dir);
    expect(await listingKey(project, dir)).toBe(key);
    // What runs write beside the tests is no source file.
    mkdirSync(join(dir, 'reports'));
    writeFileSync(join(dir, 'reports/unit.results.json'), '{}');
    expect(await listingKey(project, dir)).toBe(key);

    writeFileSync(join(dir, 'test/b.test.ts'), '');
    const added = await listingKey(project, dir);
    expect(added).not.toBe(key);
    writeFileSync(join(dir, 'vitest.config.ts'), 'export default {};');
    const configured = await listingKey(project, dir);
    expect(configured).not.toBe(added);
    const withArgs = VitestProject.parse({ name: 'unit', runner: 'vitest', args: ['--typecheck'] });
    expect(await listingKey(withArgs, dir)).not.toBe(configured);
  });

  it('changes its key when an environment variable its config reads changes, not another', async () => {
    const key = await listingKey(project, dir);
    process.env.DTF_TEST_UNREAD = '1';
    try {
      expect(await listingKey(project, dir)).toBe(key);
    } finally {
      delete process.env.DTF_TEST_UNREAD;
    }
    process.env.ONLY = 'test/a*';
    try {
      expect(await listingKey(project, dir)).not.toBe(key);
    } finally {
      delete process.env.ONLY;
    }
  });
});
