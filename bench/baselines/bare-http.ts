import { spawnUntilLine, withProcess } from '../support/child-process.js';
import { type HttpLoad, measureRequestRate } from '../support/http-load.js';

/** A `node:http` server answering every request with the JSON text in `BODY`, and nothing else. */
const SERVER_SCRIPT = `
const body = Buffer.from(process.env.BODY);
const server = require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
`;

/**
 * Requests per second a bare `node:http` server in its own process (same Node as this one)
 * answers with the fixed JSON `body`, under `load` from autocannon in this process: the floor
 * under any REST read.
 */
export function measureBareHttp(body: string, load: HttpLoad): Promise<number> {
  return withProcess(
    spawnUntilLine(process.execPath, ['-e', SERVER_SCRIPT], /^listening on (\d+)$/, {
      ...process.env,
      BODY: body,
    }),
    (server) => measureRequestRate(`http://127.0.0.1:${server.match[1]}`, ['/'], load),
  );
}
