/**
 * Where a coordinator is reached, and the headers that steer a connection: the one place the
 * coordinator, the workers, the page and the client take them from.
 */

/** Where a coordinator listens unless told otherwise. */
export const DEFAULT_COORDINATOR_PORT = 8080;
/** The WebSocket endpoint of clients and workers. */
export const WS_PATH = '/ws';
/** The browser worker page: opening it (with a worker token) makes a browser a worker. */
/** Stored artifacts served as ES modules (`<path>/<sha256>.js`): the page tests `dtf run` bundles. */
export const PAGE_MODULES_PATH = '/page-modules';

export const WORKER_PAGE_PATH = '/worker';
/** The WebSocket endpoint of a cluster's members, for their Raft streams. */
export const RAFT_PATH = '/raft';

/** Where members send each other artifacts: `HEAD`, `GET` and `PUT <path>/<sha256 hex>`. */
export const ARTIFACT_PEER_PATH = '/api/raft/artifacts';

/** Asks a cluster follower to answer a `/ws` handshake with a redirect to the leader. */
export const LEADER_REDIRECT_HEADER = 'x-dtf-leader-redirect';
/** Names the member sending on a peer stream or a peer REST call. */
export const RAFT_FROM_HEADER = 'x-dtf-raft-from';

function parseCoordinatorUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new Error(`invalid coordinator URL '${url}' (expected e.g. ws://127.0.0.1:8080/ws)`);
  }
}

/**
 * The WebSocket URL of a coordinator given as `ws(s)://host:port/ws` or `http(s)://host:port`;
 * a URL without a path gets the coordinator's `/ws` endpoint.
 */
export function toWebSocketUrl(url: string): string {
  const parsed = parseCoordinatorUrl(url);
  switch (parsed.protocol) {
    case 'ws:':
    case 'wss:':
      break;
    case 'http:':
      parsed.protocol = 'ws:';
      break;
    case 'https:':
      parsed.protocol = 'wss:';
      break;
    default:
      throw new Error(
        `unsupported coordinator URL '${url}' (use ws://, wss://, http:// or https://)`,
      );
  }
  if (parsed.pathname === '/') parsed.pathname = WS_PATH;
  return parsed.href;
}

/** The URL a cluster member opens its Raft stream to another on, given that member's URL. */
export function raftStreamUrl(memberUrl: string): string {
  return new URL(RAFT_PATH, toWebSocketUrl(memberUrl)).href;
}

/** The REST base URL (`http(s)://host:port`) of a coordinator given by any of its URLs. */
export function toHttpUrl(url: string): string {
  const parsed = parseCoordinatorUrl(url);
  const secure = parsed.protocol === 'wss:' || parsed.protocol === 'https:';
  return `${secure ? 'https' : 'http'}://${parsed.host}`;
}

/**
 * The coordinator's browser worker page for a worker token. `cluster`: every member of its
 * cluster, which the page falls back on when the coordinator that served it is gone.
 */
export function workerPageUrl(
  url: string,
  token: string | undefined,
  cluster: readonly string[] = [],
): string {
  const page = new URL(WORKER_PAGE_PATH, toHttpUrl(url));
  if (token !== undefined) page.searchParams.set('token', token);
  const own = toWebSocketUrl(url);
  for (const member of cluster.map(toWebSocketUrl)) {
    if (member !== own) page.searchParams.append('coordinator', member);
  }
  return page.href;
}
