export type { CreatedCredentials, GivenKeys, Role } from './credentials.js';
export {
  bearerToken,
  CREDENTIALS_FILE,
  CREDENTIALS_PENDING,
  Credentials,
} from './credentials.js';
export { issueWorkerSecret, workerSecretMatches, workerSecretSha256 } from './worker-secrets.js';
