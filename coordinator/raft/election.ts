import type { Raft } from './core.js';
import { quorum, tally } from './progress.js';
import { appendAsLeader, bcastAppend } from './replication.js';
import type { NodeId, PreVoteMsg, VoteMsg, VoteRespMsg } from './types.js';

type CampaignKind = 'pre' | 'election' | 'transfer';

export function tickElection(r: Raft): void {
  r.electionElapsed++;
  if (r.pastElectionTimeout()) {
    r.electionElapsed = 0;
    hup(r, false);
  }
}

/**
 * The transport lost this follower's stream to its leader, as when the leader's process dies:
 * the follower stops honouring the leader's lease (so it grants the other followers'
 * pre-votes) and campaigns within the next few ticks instead of a whole election timeout. The
 * delay is random so that followers who saw the same loss rarely campaign in the same tick.
 * Only liveness depends on this guess: if the leader is alive, its lease at the other members
 * refuses the pre-vote and its next heartbeat makes it this follower's leader again.
 */
export function leaderUnreachable(r: Raft): void {
  r.lead = null;
  const spread = Math.max(1, Math.floor(r.settings.electionTicks / 2));
  const soon = 1 + Math.floor(r.settings.random() * spread);
  r.electionElapsed = Math.max(r.electionElapsed, r.randomizedElectionTimeout - soon);
}

/** Starts an election: a pre-vote first unless disabled or asked for by TimeoutNow. */
export function hup(r: Raft, transfer: boolean): void {
  if (r.role === 'leader') return;
  if (transfer) campaign(r, 'transfer');
  else campaign(r, r.settings.preVote ? 'pre' : 'election');
}

function campaign(r: Raft, kind: CampaignKind): void {
  let term: number;
  if (kind === 'pre') {
    r.becomePreCandidate();
    term = r.term + 1;
  } else {
    r.becomeCandidate();
    term = r.term;
  }
  if (poll(r, r.id, true) === 'won') {
    // A single-node group wins at once.
    if (kind === 'pre') campaign(r, 'election');
    else becomeLeader(r);
    return;
  }
  const lastIndex = r.log.lastIndex();
  const lastTerm = r.log.lastTerm();
  for (const to of r.others) {
    if (kind === 'pre') r.send({ type: 'PreVote', to, term, lastIndex, lastTerm });
    else r.send({ type: 'Vote', to, term, lastIndex, lastTerm, transfer: kind === 'transfer' });
  }
}

function poll(r: Raft, from: NodeId, granted: boolean) {
  if (!r.votes.has(from)) r.votes.set(from, granted);
  return tally(r.votes, r.peers.length);
}

/** Answers a (pre-)vote request whose term is not below ours (the caller checked). */
export function handleVoteRequest(r: Raft, m: PreVoteMsg | VoteMsg): void {
  const respType = m.type === 'PreVote' ? 'PreVoteResp' : 'VoteResp';
  const canVote =
    r.vote === m.from ||
    (r.vote === null && r.lead === null) ||
    // A pre-vote for a later term promises nothing, so it does not need our vote to be free.
    (m.type === 'PreVote' && m.term > r.term);
  if (canVote && r.log.isUpToDate(m.lastIndex, m.lastTerm)) {
    // Granted: answer in the requested term, so a pre-candidate does not read it as stale.
    r.send({ type: respType, to: m.from, term: m.term, reject: false });
    if (m.type === 'Vote') {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.send({ type: respType, to: m.from, reject: true });
  }
}

/** A (pre-)candidate counts a vote response. */
export function handleVoteResp(r: Raft, m: VoteRespMsg): void {
  const expected = r.role === 'precandidate' ? 'PreVoteResp' : 'VoteResp';
  if (m.type !== expected) return;
  const result = poll(r, m.from, !m.reject);
  if (result === 'won') {
    if (r.role === 'precandidate') campaign(r, 'election');
    else becomeLeader(r);
  } else if (result === 'lost') {
    r.becomeFollower(r.term, null);
  }
}

function becomeLeader(r: Raft): void {
  r.becomeLeaderState();
  // The no-op lets the leader commit, and so learn the commit index of earlier terms.
  appendAsLeader(r, [{ kind: 'noop', data: '' }]);
  bcastAppend(r);
}

/** Check-quorum: whether a quorum was heard from since the last check; starts a new window. */
export function quorumActive(r: Raft): boolean {
  let active = 0;
  for (const [id, pr] of r.progress) {
    if (id === r.id || pr.recentActive) active++;
    if (id !== r.id) pr.recentActive = false;
  }
  return active >= quorum(r.peers.length);
}
