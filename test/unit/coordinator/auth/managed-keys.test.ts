import { describe, expect, it } from 'vitest';
import { Credentials, sha256 } from '../../../../coordinator/auth/index.js';
import { apply as applyCommand } from '../../../../coordinator/state/index.js';
import type { ApiKey } from '../../../../protocol/index.js';
import { newState as createState } from '../../../support/fixtures.js';

const hex = (secret: string) => sha256(secret).toString('hex');

function key(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 'k_abcdefgh',
    name: 'ci',
    role: 'submitter',
    sha256: hex('s1'),
    createdAt: 0,
    ...overrides,
  };
}

describe('managed keys', () => {
  it('grant their role by their secret until they expire, are revoked or rotated past the grace', () => {
    const state = createState();
    const credentials = Credentials.pending().withKeys(() => state.keys.values());
    credentials.set({ adminKeySha256: hex('admin'), workerTokenSha256: hex('worker') });
    const apply = (command: Parameters<typeof applyCommand>[1]) => {
      const events = applyCommand(state, command);
      if (events.some((e) => e.type === 'KeyChanged')) credentials.keysChanged();
      return events;
    };

    expect(credentials.grantOf('s1')).toBeUndefined();
    apply({ type: 'CreateKey', now: 0, key: key({ expiresAt: 10_000 }) });
    expect(credentials.grantOf('s1', 5_000)).toEqual({
      role: 'submitter',
      keyId: 'k_abcdefgh',
      expiresAt: 10_000,
    });
    expect(credentials.grantOf('s1', 10_000)).toBeUndefined();
    expect(credentials.grantOf('admin')).toEqual({ role: 'admin' });

    // Rotated: the new secret works; the old one until the grace ends.
    apply({
      type: 'RotateKey',
      now: 1_000,
      id: 'k_abcdefgh',
      sha256: hex('s2'),
      graceUntil: 3_000,
    });
    expect(credentials.grantOf('s2', 2_000)?.role).toBe('submitter');
    expect(credentials.grantOf('s1', 2_000)).toMatchObject({ role: 'submitter', expiresAt: 3_000 });
    expect(credentials.grantOf('s1', 3_000)).toBeUndefined();

    // Revoked: refused at once, though its grant was just remembered.
    expect(apply({ type: 'RevokeKey', now: 2_500, id: 'k_abcdefgh' })).toHaveLength(1);
    expect(credentials.grantOf('s2', 2_500)).toBeUndefined();
    expect(credentials.grantOf('s1', 2_500)).toBeUndefined();
    // Stays revoked: neither a rotation nor a second revocation changes it.
    expect(
      apply({ type: 'RotateKey', now: 2_600, id: 'k_abcdefgh', sha256: hex('s3'), graceUntil: 0 }),
    ).toEqual([]);
    expect(apply({ type: 'RevokeKey', now: 2_700, id: 'k_abcdefgh' })).toEqual([]);
    expect(state.keys.get('k_abcdefgh')?.revokedAt).toBe(2_500);
  });

  it('keep an id once', () => {
    const state = createState();
    expect(applyCommand(state, { type: 'CreateKey', now: 0, key: key() })).toHaveLength(1);
    expect(applyCommand(state, { type: 'CreateKey', now: 1, key: key({ name: 'again' }) })).toEqual(
      [],
    );
    expect(state.keys.get('k_abcdefgh')?.name).toBe('ci');
  });
});
