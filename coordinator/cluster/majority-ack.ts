import type { NodeId } from '../raft/index.js';

export interface PeerAttempt {
  peer: NodeId;
  run: (signal: AbortSignal) => Promise<void>;
}

/** Too many attempts failed for the needed number of acknowledgements. */
export class MajorityUnreachable extends Error {
  constructor(
    readonly needed: number,
    readonly attempted: number,
    readonly failures: ReadonlyMap<NodeId, string>,
  ) {
    const reasons = [...failures].map(([peer, reason]) => `${peer}: ${reason}`).join('; ');
    const members = needed === 1 ? 'member' : 'members';
    super(
      `a majority needs ${needed} other ${members} to store it, and ${failures.size} of ${attempted} could not (${reasons})`,
    );
  }
}

/**
 * Starts every attempt at once and resolves with the peers that succeeded once `needed` have;
 * the others go on in the background and report to `onSettled`. Rejects with
 * `MajorityUnreachable` as soon as so many failed that `needed` cannot be reached, and then
 * aborts those still running.
 */
export function awaitAcks(
  attempts: readonly PeerAttempt[],
  needed: number,
  onSettled: (peer: NodeId, error: Error | undefined) => void = () => {},
): Promise<NodeId[]> {
  const acked: NodeId[] = [];
  const failures = new Map<NodeId, string>();
  const abort = new AbortController();
  return new Promise((resolve, reject) => {
    let settled = false;
    const check = () => {
      if (settled) return;
      if (acked.length >= needed) {
        settled = true;
        resolve([...acked]);
      } else if (attempts.length - failures.size < needed) {
        settled = true;
        abort.abort(new Error('too few members could store it'));
        // In the members' order, not the order the failures came in: the text is the same every time.
        const inOrder = attempts.flatMap(({ peer }) => {
          const reason = failures.get(peer);
          return reason === undefined ? [] : [[peer, reason] as const];
        });
        reject(new MajorityUnreachable(needed, attempts.length, new Map(inOrder)));
      }
    };
    check();
    if (abort.signal.aborted) return;
    for (const { peer, run } of attempts) {
      run(abort.signal).then(
        () => {
          acked.push(peer);
          onSettled(peer, undefined);
          check();
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error : new Error(String(error));
          failures.set(peer, reason.message);
          onSettled(peer, reason);
          check();
        },
      );
    }
  });
}
