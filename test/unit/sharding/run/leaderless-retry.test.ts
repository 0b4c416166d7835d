import { describe, expect, it } from 'vitest';
import { HttpError, UnreachableError } from '../../../../client/index.js';
import { retryWhileLeaderless } from '../../../../sharding/run/leaderless-retry.js';

describe('retryWhileLeaderless', () => {
  it('calls again while the coordinator is unreachable or has no leader, then answers', async () => {
    const failures = [
      new UnreachableError('could not reach http://127.0.0.1:1/api/workers: ECONNREFUSED'),
      new HttpError(503, 'GET /api/workers failed with HTTP 503: no leader is known yet'),
    ];
    let calls = 0;
    const answer = await retryWhileLeaderless('list the workers', async () => {
      calls++;
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      return 'workers';
    });
    expect(answer).toBe('workers');
    expect(calls).toBe(3);
  });

  it('passes on at once a failure no leader change explains', async () => {
    let calls = 0;
    const refused = retryWhileLeaderless('list the workers', async () => {
      calls++;
      throw new HttpError(401, 'GET /api/workers failed with HTTP 401: unauthorized');
    });
    await expect(refused).rejects.toThrow(/HTTP 401/);
    expect(calls).toBe(1);
  });

  it('gives up after the bound, saying what it could not do and the last failure', async () => {
    const gone = retryWhileLeaderless(
      'store stage 1',
      async () => {
        throw new UnreachableError(
          'could not reach http://127.0.0.1:1/api/artifacts: ECONNREFUSED',
        );
      },
      300,
    );
    await expect(gone).rejects.toThrow(
      /^could not store stage 1: the coordinator did not answer for 300 ms: could not reach http:\/\/127\.0\.0\.1:1\/api\/artifacts: ECONNREFUSED$/,
    );
  });
});
