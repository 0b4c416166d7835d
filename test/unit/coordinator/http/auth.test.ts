import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { Credentials } from '../../../../coordinator/auth/index.js';
import { requestRole, requireRole } from '../../../../coordinator/http/auth.js';

function exchange(token: string): { req: Request; res: Response } {
  const req = {
    method: 'GET',
    url: '/api/whoami',
    path: '/api/whoami',
    headers: { authorization: `Bearer ${token}` },
  } as unknown as Request;
  const res = { locals: {}, req } as unknown as Response;
  return { req, res };
}

describe('requestRole', () => {
  const keys = Credentials.generate();
  const credentials = Credentials.pending();
  credentials.set(keys);

  it('is the role requireRole granted the request', () => {
    for (const [token, role] of [
      [keys.workerToken, 'worker'],
      [keys.adminKey, 'admin'],
    ] as const) {
      const { req, res } = exchange(token);
      let passed = false;
      requireRole(credentials, ['worker', 'admin'])(req, res, () => {
        passed = true;
      });
      expect(passed).toBe(true);
      expect(requestRole(res)).toBe(role);
    }
  });

  it('is nobody on a route without requireRole: never taken for a worker', () => {
    const { res } = exchange(keys.workerToken);
    expect(() => requestRole(res)).toThrow(
      'no role for GET /api/whoami: its route lacks requireRole',
    );
  });
});
