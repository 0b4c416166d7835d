import { afterEach, describe, expect, it } from 'vitest';
import { DtfClient } from '../../../client/index.js';
import { type FakeCoordinator, startFakeCoordinator, unusedUrl } from './fake-coordinator.js';

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

  it('moves on to the next URL when one is unreachable', async () => {
    fake = await startFakeCoordinator(() => {});
    const client = await DtfClient.connect({ urls: [await unusedUrl(), fake.url] });
    expect(client.url).toBe(fake.url);
    await client.close();
  });
});
