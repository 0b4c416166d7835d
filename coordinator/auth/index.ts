export type { Role } from '../../protocol/index.js';
export type { CreatedCredentials, GivenKeys, Grant } from './credentials.js';
export {
  bearerToken,
  CREDENTIALS_FILE,
  CREDENTIALS_PENDING,
  Credentials,
  sha256,
} from './credentials.js';
export { issueWorkerSecret, workerSecretMatches, workerSecretSha256 } from './worker-secrets.js';
