import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError, restGet } from '../../../client/index.js';

async function serve(
  status: number,
  body: string,
): Promise<{ server: Server; base: string; auth: string[] }> {
  const auth: string[] = [];
  const server = createServer((request, response) => {
    auth.push(request.headers.authorization ?? '');
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, auth };
}

describe('restGet', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it('returns the parsed JSON and sends the token', async () => {
    const served = await serve(200, '{"workers":2}');
    server = served.server;
    await expect(restGet(served.base, '/api/status', 'tok')).resolves.toEqual({ workers: 2 });
    expect(served.auth).toEqual(['Bearer tok']);
  });

  it("turns an error status into an HttpError with the server's message", async () => {
    const served = await serve(
      403,
      '{"error":{"code":"forbidden","message":"viewer role cannot do this"}}',
    );
    server = served.server;
    const error = await restGet(served.base, '/api/status', undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 403,
      message: `GET ${served.base}/api/status failed with HTTP 403: viewer role cannot do this`,
    });
  });
});
