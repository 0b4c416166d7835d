import type { Logger } from 'pino';
import type { UnschedulableExplainer } from './queries.js';
import type { CoordinatorState } from './state/index.js';
import type { ArtifactStore, GroupCommit } from './store/index.js';

/** What the I/O edges (REST, WebSocket, timers) share: the state, the way to change it, the clock. */
export interface CoordinatorContext {
  readonly state: CoordinatorState;
  readonly commit: GroupCommit;
  readonly artifacts: ArtifactStore;
  readonly explainer: UnschedulableExplainer;
  readonly logger: Logger;
  readonly maxMessageBytes: number;
  readonly startedAt: number;
  now(): number;
}
