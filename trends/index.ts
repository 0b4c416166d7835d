export { type ChangePoint, type ChangePointOptions, changePoints } from './change-points.js';
