export { toHttpUrl, toWebSocketUrl, workerPageUrl } from '../protocol/index.js';
export { CoordinatorError } from './coordinator-error.js';
export {
  type ConnectOptions,
  DtfClient,
  type QueryFilter,
  type ReconnectEvent,
  type Subscription,
  type TaskSelector,
  type WaitOptions,
} from './dtf-client.js';
export { describeError } from './error-text.js';
export type { ReconnectOptions } from './leader-connection.js';
export {
  downloadArtifact,
  drainWorker,
  HttpError,
  reportWorkerLost,
  restGet,
  restRequest,
  UnreachableError,
  uploadArtifact,
} from './rest.js';
export { openRun, reportRunResults } from './runs.js';
export { TaskProgress } from './task-progress.js';
export { verifyWebhookSignature, webhookSignature } from './webhook-signature.js';
