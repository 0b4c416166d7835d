import { afterEach, describe, expect, it } from 'vitest';
import { DtfClient } from '../../../client/index.js';
import { type FakeCoordinator, startFakeCoordinator, unusedUrl } from './fake-coordinator.js';

const NOT_LEADER = {
  status: 503,
  body: '{"error":{"code":"not_leader","message":"no leader is known yet"}}',
};

describe('DtfClient.connect', () => {
  let fake: FakeCoordinator | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('sends the token as a bearer header', async () => {
    fake = await startFakeCoordinator(() => {});
    const client = await DtfClient.connect({ urls: [fake.url], token: 's3cret' });
    await client.close();
    expect(fake.authorization).toEqual(['Bearer s3cret']);
  });

  it('names the coordinator, the status and the body when credentials are rejected', async () => {
    fake = await startFakeCoordinator(() => {}, {
      refuse: { status: 401, body: '{"error":{"code":"unauthorized","message":"unknown token"}}' },
    });
    await expect(DtfClient.connect({ urls: [fake.url], token: 'bad' })).rejects.toThrow(
      `coordinator at ${fake.url} rejected the credentials (HTTP 401): unknown token`,
    );
  });

  it('says when no token was given to a coordinator that wants one', async () => {
    fake = await startFakeCoordinator(() => {}, { refuse: { status: 403, body: '' } });
    await expect(DtfClient.connect({ urls: [fake.url] })).rejects.toThrow(
      /rejected the credentials \(HTTP 403\).*\(no token was given\)/,
    );
  });

  it('lists every URL and why it failed when none can be reached', async () => {
    const first = await unusedUrl();
    const second = await unusedUrl();
    const error = await DtfClient.connect({ urls: [first, second] }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^could not connect to any coordinator \(tried: /);
    expect((error as Error).message).toContain(`${first}: connect ECONNREFUSED`);
    expect((error as Error).message).toContain(`${second}: connect ECONNREFUSED`);
  });

  it('waits out an election: tries again while a member answers not_leader, then connects', async () => {
    let refusals = 3;
    fake = await startFakeCoordinator(() => {}, {
      refuse: () => (refusals-- > 0 ? NOT_LEADER : undefined),
    });
    const client = await DtfClient.connect({
      urls: [await unusedUrl(), fake.url],
      reconnect: { backoff: { initialDelayMs: 10 } },
    });
    expect(client.url).toBe(fake.url);
    expect(fake.authorization).toHaveLength(4);
    await client.close();
  });

  it('gives up waiting for a leader after giveUpAfterMs, naming what each URL answered', async () => {
    fake = await startFakeCoordinator(() => {}, { refuse: NOT_LEADER });
    const error = await DtfClient.connect({
      urls: [fake.url],
      reconnect: { giveUpAfterMs: 200, backoff: { initialDelayMs: 10, maxDelayMs: 40 } },
    }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^could not connect to any coordinator \(tried: \S+: handshake refused with HTTP 503: no leader is known yet\); no leader within 200 ms$/,
    );
    expect(fake.authorization.length).toBeGreaterThan(1);
  });

  it('does not wait for a leader when reconnecting is off', async () => {
    fake = await startFakeCoordinator(() => {}, { refuse: NOT_LEADER });
    await expect(DtfClient.connect({ urls: [fake.url], reconnect: false })).rejects.toThrow(
      /^could not connect to any coordinator \(tried: .*no leader is known yet\)$/,
    );
    expect(fake.authorization).toHaveLength(1);
  });

  it('fails at once when a URL fails for good, even if another member says to wait', async () => {
    fake = await startFakeCoordinator(() => {}, { refuse: NOT_LEADER });
    const notFound = await startFakeCoordinator(() => {}, {
      refuse: { status: 404, body: '{"error":{"code":"not_found","message":"no such path"}}' },
    });
    try {
      for (const wrong of [notFound.url, 'not a url']) {
        const error = await DtfClient.connect({ urls: [wrong, fake.url] }).catch((e: Error) => e);
        expect((error as Error).message).toMatch(/^could not connect to any coordinator \(tried: /);
        expect((error as Error).message).toContain(`${wrong}: `);
      }
      expect(fake.authorization).toHaveLength(2);
    } finally {
      await notFound.close();
    }
  });

  it('moves on to the next URL when one is unreachable', async () => {
    fake = await startFakeCoordinator(() => {});
    const client = await DtfClient.connect({ urls: [await unusedUrl(), fake.url] });
    expect(client.url).toBe(fake.url);
    await client.close();
  });
});
