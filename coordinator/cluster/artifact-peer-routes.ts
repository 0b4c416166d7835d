import type { IncomingMessage, ServerResponse } from 'node:http';
import { RAFT_FROM_HEADER } from '../../protocol/index.js';
import { sendRestError, writeJson } from '../http/errors.js';
import { sendArtifact } from '../http/send-artifact.js';
import type { PeerTransport } from '../raft-io/index.js';
import { ArtifactRefused, type ArtifactStore, isArtifactHex } from '../store/index.js';
import { ARTIFACT_PEER_PATH } from './artifact-peer-client.js';

const PREFIX = `${ARTIFACT_PEER_PATH}/`;

/**
 * Answers members' artifact requests before Express: `HEAD`/`GET <path>/<hex>` (this member's
 * own copy, or 404) and `PUT <path>/<hex>` (stored once its bytes hash to `<hex>`, synced to
 * disk; 201, or 200 when it was there). Only a member presenting the cluster secret is served.
 * False for other paths.
 */
export function artifactPeerHandler(
  transport: PeerTransport,
  store: ArtifactStore,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(PREFIX)) return false;
    const hex = path.slice(PREFIX.length);
    if (transport.authenticPeer(req) === undefined) {
      refuse(res, 'unauthorized', `send the cluster token and ${RAFT_FROM_HEADER}`);
      return true;
    }
    if (!isArtifactHex(hex)) {
      refuse(res, 'invalid_message', `${hex} is not a SHA-256 in lowercase hex`);
      return true;
    }
    if (req.method === 'HEAD' || req.method === 'GET') serveCopy(store, hex, req, res);
    else if (req.method === 'PUT') receiveCopy(store, hex, req, res);
    else refuse(res, 'not_found', `no route ${req.method} ${path}`);
    return true;
  };
}

function serveCopy(
  store: ArtifactStore,
  hex: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const file = store.file(hex);
  if (file === undefined) {
    sendRestError(res, 'not_found', `no artifact sha256:${hex} on this member`);
    return;
  }
  sendArtifact(req, res, file);
}

function receiveCopy(
  store: ArtifactStore,
  hex: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const declared = req.headers['content-length'];
  store
    .stage(req.iterator({ destroyOnReturn: false }), {
      expectedHex: hex,
      ...(declared === undefined ? {} : { declaredBytes: Number(declared) }),
    })
    .then((staged) => store.commit(staged))
    .then(
      (stored) => writeJson(res, stored.created ? 201 : 200, stored),
      (error: unknown) => {
        req.resume();
        if (error instanceof ArtifactRefused) sendRestError(res, error.code, error.message);
        else sendRestError(res, 'internal', `could not store sha256:${hex}: ${String(error)}`);
      },
    );
}

/** An error answer after which the connection closes (the body is not read). */
function refuse(
  res: ServerResponse,
  code: Parameters<typeof sendRestError>[1],
  message: string,
): void {
  res.setHeader('connection', 'close');
  sendRestError(res, code, message);
}
