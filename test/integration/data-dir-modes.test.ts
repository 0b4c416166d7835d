import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCoordinatorProcess } from '../support/processes.js';
import { cleanUpAfterAll } from '../support/teardown.js';
import { tempDir } from '../support/temp-dir.js';

cleanUpAfterAll();

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** The mode of the data dir and of everything in it, by path relative to it. */
function modes(dataDir: string): Record<string, string> {
  const found: Record<string, string> = { '.': modeOf(dataDir) };
  for (const name of readdirSync(dataDir, { recursive: true, encoding: 'utf8' })) {
    found[name] = modeOf(join(dataDir, name));
  }
  return found;
}

describe('the data dir', () => {
  it('is readable by its owner only: the dir 0700, the database, credentials and artifacts 0600', async () => {
    const dataDir = join(tempDir(), '.dtf');
    const coordinator = await startCoordinatorProcess(dataDir);
    const model = new TextEncoder().encode('pretend this is an ONNX model');
    const put = await fetch(`${coordinator.url}/api/artifacts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${coordinator.adminKey}` },
      body: model,
    });
    expect(put.status).toBe(201);
    const hex = createHash('sha256').update(model).digest('hex');
    expect(modes(dataDir)).toEqual({
      '.': '700',
      'dtf.sqlite': '600',
      'dtf.sqlite-wal': '600',
      'dtf.sqlite-shm': '600',
      'credentials.json': '600',
      // The lock that keeps a second coordinator off the dir; no journal beside it.
      'dtf.lock': '600',
      artifacts: '700',
      [join('artifacts', hex)]: '600',
    });
  });

  it('left readable by an older version is tightened at start, with a log line', async () => {
    const dataDir = join(tempDir(), '.dtf');
    mkdirSync(join(dataDir, 'artifacts'), { recursive: true });
    const artifact = join('artifacts', 'ab'.repeat(32));
    for (const name of ['dtf.sqlite', 'credentials.json', artifact]) {
      writeFileSync(join(dataDir, name), '');
    }
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'artifacts'), 0o755);
    for (const name of ['dtf.sqlite', 'credentials.json', artifact]) {
      chmodSync(join(dataDir, name), 0o644);
    }
    writeFileSync(join(dataDir, 'dtf.lock'), '', { mode: 0o644 });
    const coordinator = await startCoordinatorProcess(dataDir);
    expect(coordinator.output()).toMatch(
      /"msg":"the data dir was readable by other users: now only its owner can read it"/,
    );
    expect(modes(dataDir)).toMatchObject({
      '.': '700',
      'dtf.sqlite': '600',
      'credentials.json': '600',
      'dtf.lock': '600',
      artifacts: '700',
      [artifact]: '600',
    });
  });
});
