import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../protocol/index.js';

/** Sends `message` and resolves with the ms until the first answer of `type` with its id. */
function timeRequest(socket: WebSocket, message: { id: string }, type: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const onMessage = (data: WebSocket.RawData) => {
      const answer = JSON.parse(data.toString()) as { type: string; id?: string; message?: string };
      if (answer.id !== message.id) return;
      socket.off('message', onMessage);
      if (answer.type === type) resolve(performance.now() - started);
      else reject(new Error(`${type} refused: ${answer.message ?? answer.type}`));
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify(message));
  });
}

export interface DashboardTimes {
  /** The first view: the activity is built from the tasks then. */
  firstMs: number;
  /** Later views (a new page of workers), and a `query` of one task on the same socket. */
  viewMs: number[];
  queryMs: number[];
}

/** Times the dashboard's views over `/ws` as the admin, against the cheapest request there. */
export async function timeDashboardViews(
  wsUrl: string,
  adminKey: string,
  rounds: number,
): Promise<DashboardTimes> {
  const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(adminKey)}`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  try {
    const watch = (n: number) => ({
      v: PROTOCOL_VERSION,
      type: 'watch-dashboard',
      id: `watch-${n}`,
      workers: { offset: (n * 50) % 1000, limit: 50 },
    });
    const firstMs = await timeRequest(socket, watch(0), 'dashboard');
    const viewMs: number[] = [];
    const queryMs: number[] = [];
    for (let n = 1; n <= rounds; n++) {
      viewMs.push(await timeRequest(socket, watch(n), 'dashboard'));
      queryMs.push(
        await timeRequest(
          socket,
          { v: PROTOCOL_VERSION, type: 'query', id: `query-${n}`, limit: 1 } as never,
          'tasks',
        ),
      );
    }
    return { firstMs, viewMs, queryMs };
  } finally {
    socket.close();
  }
}
