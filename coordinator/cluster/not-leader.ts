/** A command or read this member could not see through: it does not lead, or no leader answered. */
export class NotLeaderError extends Error {
  readonly code = 'not_leader';
}
