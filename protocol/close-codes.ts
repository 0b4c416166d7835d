/** WebSocket close codes the coordinator sends, each with one meaning (4000–4999 are the application's). */

/** The worker was declared dead and must register again; the reason says why. */
export const CLOSE_WORKER_EXPIRED = 4001;
/** The socket was replaced by a newer connection of the same worker. */
export const CLOSE_WORKER_REPLACED = 4002;
/** A cluster follower: the reason is the leader's `/ws` URL, when one is known. */
export const CLOSE_NOT_LEADER = 4003;
/** The key the connection authenticated with was revoked. */
export const CLOSE_KEY_REVOKED = 4004;
/** The key the connection authenticated with expired (or its rotation's grace ended). */
export const CLOSE_KEY_EXPIRED = 4005;
