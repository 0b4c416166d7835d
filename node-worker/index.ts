export { probeCapabilities } from './capabilities.js';
export { startWorker, type WorkerHandle, type WorkerOptions } from './worker.js';
