import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { givenKeys } from '../../../../cli/options/given-keys.js';
import { CREDENTIALS_FILE, Credentials } from '../../../../coordinator/auth/index.js';
import { openDatabase } from '../../../../coordinator/store/index.js';
import { removeTempDirs, tempDir } from '../../../support/temp-dir.js';

afterEach(removeTempDirs);

const keys = { adminKey: 'a'.repeat(32), workerToken: 'w'.repeat(32) };

describe('keys given to a coordinator up front', () => {
  it('are kept as hashes on the first start, written nowhere, and grant their roles', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const { credentials, created } = Credentials.ensure(db, dir, 1, keys);
    expect(created).toBeUndefined();
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
    expect(credentials.grantOf(keys.adminKey)?.role).toBe('admin');
    expect(credentials.grantOf(keys.workerToken)?.role).toBe('worker');
    // The next start with the same keys finds them kept.
    expect(Credentials.ensure(db, dir, 2, keys).credentials.grantOf(keys.adminKey)?.role).toBe(
      'admin',
    );
    db.close();
  });

  it('that differ from those the data dir holds are refused, naming which', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    Credentials.ensure(db, dir, 1);
    expect(() => Credentials.ensure(db, dir, 2, keys)).toThrow(
      "DTF_ADMIN_KEY and DTF_WORKER_TOKEN differ from the key this coordinator's data already holds",
    );
    const kept = Credentials.hashed(keys);
    expect(Credentials.mismatch({ ...keys, workerToken: 'x'.repeat(32) }, kept)).toMatch(
      /^DTF_WORKER_TOKEN differs/,
    );
    expect(Credentials.mismatch(keys, kept)).toBeUndefined();
    db.close();
  });

  it('come from DTF_ADMIN_KEY and DTF_WORKER_TOKEN, both, long enough and different', () => {
    expect(givenKeys({})).toBeUndefined();
    expect(givenKeys({ DTF_ADMIN_KEY: keys.adminKey, DTF_WORKER_TOKEN: keys.workerToken })).toEqual(
      keys,
    );
    expect(() => givenKeys({ DTF_ADMIN_KEY: keys.adminKey })).toThrow(
      'DTF_ADMIN_KEY and DTF_WORKER_TOKEN go together: DTF_WORKER_TOKEN is not set',
    );
    expect(() => givenKeys({ DTF_ADMIN_KEY: 'short', DTF_WORKER_TOKEN: keys.workerToken })).toThrow(
      'DTF_ADMIN_KEY has 5 characters: give 24 to 512 random ones',
    );
    expect(() =>
      givenKeys({ DTF_ADMIN_KEY: keys.adminKey, DTF_WORKER_TOKEN: keys.adminKey }),
    ).toThrow('must differ');
  });
});
