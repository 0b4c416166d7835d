import type { IncomingMessage, ServerResponse } from 'node:http';
import type Database from 'better-sqlite3';
import type { ZodType } from 'zod';
import type { ProtocolError } from '../../protocol/index.js';
import { type Audited, audited } from '../audit-stamp.js';
import type { Credentials, Grant, Role } from '../auth/index.js';
import type { CoordinatorContext } from '../context.js';
import type { CoordinatorMetrics } from '../metrics.js';
import type { PeerTransport } from '../raft-io/index.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import type { BodyReader } from './json-body.js';

/**
 * Who may call a route: anyone, a member of the cluster (the cluster token and
 * `x-dtf-raft-from`), or a bearer token granting one of the roles.
 */
export type Access = 'anyone' | 'member' | readonly Role[];

/**
 * Which member answers a route in a cluster (alone, a coordinator answers everything itself):
 * - `local`: the member asked, about itself or from files every member has;
 * - `linearizable`: any member, once a ReadIndex round shows its state is as recent as the
 *   leader's commit when the request came;
 * - `leader`: a follower sends the request to the leader (307), or answers 503 `not_leader`
 *   while none is known.
 */
export type ClusterPolicy = 'local' | 'linearizable' | 'leader';

/**
 * The request's body: none read, JSON read after the caller is known (bounded by its role),
 * or a stream the handler reads itself.
 */
export type BodyKind = 'none' | 'json' | 'stream';

/** Who the policy found the caller to be. */
export type Caller =
  | { kind: 'anyone' }
  | ({ kind: 'client' } & Grant)
  | { kind: 'member'; id: string };

export interface RouteCall {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path's `:name` segments, decoded. */
  params: Record<string, string>;
  /** The query string, parsed as Express's default parser does (`node:querystring`). */
  query: Record<string, string | string[] | undefined>;
  /** The JSON body of a `json` route (`{}` for an empty one); undefined otherwise. */
  body: unknown;
  caller: Caller;
}

/** What the handlers reach: one coordinator's parts, built once at start. */
export interface RouteDeps {
  ctx: CoordinatorContext;
  db: Database.Database;
  metrics: CoordinatorMetrics;
  credentials: Credentials | undefined;
  /** Reads a JSON body with the bounds of the sender's role. */
  readBody: BodyReader;
  /** The static files: the worker page and onnxruntime-web's files, the page-test examples. */
  files: (req: IncomingMessage, res: ServerResponse) => void;
  /** The event loop's delay since start, for `/api/health/resources`. */
  loopDelay: { percentile(p: number): number };
  /** Sends webhook deliveries: `dtf webhooks test` waits on an attempt. */
  webhooks: Pick<WebhookDispatcher, 'nextAttempt'>;
  /** Cluster mode only: where the members' frames and artifact copies go. */
  peers?: PeerEndpoint | undefined;
}

/** A cluster member's side of its peers' requests. */
export interface PeerEndpoint {
  transport: Pick<PeerTransport, 'authenticPeer' | 'receive'>;
  /** The largest peer frame accepted. */
  maxFrameBytes: number;
}

export interface Route {
  /** A short, unique name: for logs, docs and tests. */
  name: string;
  /** `GET` routes answer `HEAD` too. */
  method: 'GET' | 'POST' | 'PUT';
  /** `/api/tasks/:id`; a path ending in `/*` serves everything below it. */
  path: string;
  who: Access;
  cluster: ClusterPolicy;
  body: BodyKind;
  /** One line for the API reference. */
  summary: string;
  /** The JSON body's schema, for the API reference. */
  request?: ZodType;
  /** The reply's schema, or what it is when it is not JSON. */
  reply: ZodType | string;
  /**
   * Asked once the caller is known, before the body is read: a refusal is answered at once (a
   * flood is turned away without reading what it sent).
   */
  gate?(call: RouteCall, deps: RouteDeps): ProtocolError | undefined;
  handle(call: RouteCall, deps: RouteDeps): void | Promise<void>;
}

/** The role a `client` caller was granted; a route open to anyone or to members has none. */
export function roleOf(call: RouteCall): Role {
  if (call.caller.kind !== 'client') {
    throw new Error(`no role for a ${call.caller.kind} caller: its route grants no roles`);
  }
  return call.caller.role;
}

/** The member a `member` route's caller proved to be, and this member's side of the cluster. */
export function memberOf(call: RouteCall, deps: RouteDeps): { id: string; peers: PeerEndpoint } {
  if (call.caller.kind !== 'member' || deps.peers === undefined) {
    throw new Error(`a ${call.caller.kind} caller reached a route for cluster members`);
  }
  return { id: call.caller.id, peers: deps.peers };
}

/** What the caller's key grants (alone, with no credentials, a coordinator takes all as admin). */
export function grantOf({ caller }: RouteCall): Grant {
  return caller.kind === 'client' ? caller : { role: 'admin' };
}

/** The `audit` field of a command the call asks for: its key and its peer address. */
export function auditedCall(call: RouteCall): Audited {
  return audited(grantOf(call), call.req.socket.remoteAddress);
}
