/** The state machine's commands are part of the wire (a cluster's log carries them). */
export type {
  DrainSource,
  Placement,
  StateCommand as Command,
  WorkerProof,
} from '../../protocol/index.js';
