export {
  type CandidateWorker,
  type Placement,
  PlacementError,
  type PlacementOptions,
  placeStages,
  type StageDemand,
  type StagePlacement,
} from './place-stages.js';
export { type SpeedSource, speedOf } from './speeds.js';
export { stageDemands } from './stage-demands.js';
