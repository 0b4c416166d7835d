export { seededRandom } from './seeded-random.js';
export { latencySummary, summarizeTensor } from './summary.js';
export { materializeTensor, type TensorData, tensorBytes, tensorFromBytes } from './tensor-data.js';
