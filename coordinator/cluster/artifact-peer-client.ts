import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ARTIFACT_PEER_PATH, RAFT_FROM_HEADER } from '../../protocol/index.js';
import type { NodeId } from '../raft/index.js';

/** A file to send: a fresh stream of its bytes for each try, and its length. */
export interface ArtifactBody {
  open: () => Readable;
  size: number;
}

/** How a member asks the others for artifacts and gives them artifacts. */
export interface ArtifactPeers {
  /** Sends the file to `peer` unless it has it already; resolves once the peer stored it durably. */
  push(peer: NodeId, hex: string, body: ArtifactBody, signal: AbortSignal): Promise<void>;
  /** The peer's copy as a stream (to be verified), or undefined when it has none. */
  fetch(peer: NodeId, hex: string): Promise<AsyncIterable<Uint8Array> | undefined>;
}

export interface ArtifactPeerClientOptions {
  self: NodeId;
  /** Every member's `http(s)://host:port`. */
  peers: ReadonlyMap<NodeId, string>;
  /** The cluster secret. */
  token: string;
  /** A request with no bytes moving for this long fails. */
  idleMs: number;
}

/** `ArtifactPeers` over HTTP to the members' `ARTIFACT_PEER_PATH`, with the cluster secret. */
export class ArtifactPeerClient implements ArtifactPeers {
  constructor(private readonly options: ArtifactPeerClientOptions) {}

  async push(peer: NodeId, hex: string, body: ArtifactBody, signal: AbortSignal): Promise<void> {
    const head = await this.send(peer, 'HEAD', hex, signal);
    if (head.statusCode !== 200 && head.statusCode !== 404) throw await failure(head);
    head.resume();
    if (head.statusCode === 200) return;
    const put = await this.send(peer, 'PUT', hex, signal, body);
    if (put.statusCode !== 200 && put.statusCode !== 201) throw await failure(put);
    put.resume();
  }

  async fetch(peer: NodeId, hex: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const res = await this.send(peer, 'GET', hex);
    if (res.statusCode === 200) return res;
    if (res.statusCode === 404) {
      res.resume();
      return undefined;
    }
    throw await failure(res);
  }

  private send(
    peer: NodeId,
    method: 'HEAD' | 'GET' | 'PUT',
    hex: string,
    signal?: AbortSignal,
    body?: ArtifactBody,
  ): Promise<IncomingMessage> {
    const base = this.options.peers.get(peer);
    if (base === undefined) return Promise.reject(new Error(`unknown member ${peer}`));
    const url = new URL(`${ARTIFACT_PEER_PATH}/${hex}`, base);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const { idleMs } = this.options;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ...(signal === undefined ? {} : { signal }),
          headers: {
            authorization: `Bearer ${this.options.token}`,
            [RAFT_FROM_HEADER]: this.options.self,
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/octet-stream', 'content-length': body.size }),
          },
        },
        resolve,
      );
      req.setTimeout(idleMs, () => req.destroy(new Error(`no progress for ${idleMs} ms`)));
      req.on('error', reject);
      if (body === undefined) req.end();
      else pipeline(body.open(), req).catch(reject);
    });
  }
}

/** An error naming what a peer answered. */
async function failure(res: IncomingMessage): Promise<Error> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  let message = text;
  try {
    message = (JSON.parse(text) as { error: { message: string } }).error.message;
  } catch {
    // not the usual error body: the text as it is
  }
  if (message === '' && res.statusCode === 401) message = 'refused the cluster token';
  return new Error(`HTTP ${res.statusCode}${message === '' ? '' : `: ${message}`}`);
}
