import type { RestPeerFrameReply } from '../../../protocol/index.js';
import { sendRestError, writeJson } from '../errors.js';
import { memberOf, type RouteCall, type RouteDeps } from '../route.js';

/**
 * `POST /api/raft/{request_vote,append_entries,sync_state}`, the original framework's Raft
 * paths: each takes a peer frame (`{v, type: 'raft', messages}`) from the member named in
 * `x-dtf-raft-from`, as the `/raft` stream does.
 */
export function receivePeerFrame(call: RouteCall, deps: RouteDeps): void {
  const { req, res } = call;
  const { id: from, peers } = memberOf(call, deps);
  const { maxFrameBytes } = peers;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxFrameBytes) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > maxFrameBytes) {
      sendRestError(res, 'message_too_large', `body of ${size} bytes exceeds ${maxFrameBytes}`);
      return;
    }
    const error = peers.transport.receive(Buffer.concat(chunks).toString(), from);
    if (error !== undefined) sendRestError(res, error.code, error.message);
    else {
      const reply: RestPeerFrameReply = { accepted: true };
      writeJson(res, 202, reply);
    }
  });
}
