import type { GivenKeys } from '../../coordinator/auth/index.js';
import { UsageError } from '../usage-error.js';

const MIN_KEY_LENGTH = 24;
const MAX_KEY_LENGTH = 512;

function checked(name: string, value: string): string {
  if (value.length < MIN_KEY_LENGTH || value.length > MAX_KEY_LENGTH) {
    throw new UsageError(
      `${name} has ${value.length} characters: give ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} random ones (openssl rand -base64 32)`,
    );
  }
  return value;
}

/**
 * The keys `dtf coordinator` is given up front, from `DTF_ADMIN_KEY` and `DTF_WORKER_TOKEN` (a
 * Kubernetes Secret's, say), instead of creating its own on the first start; both or neither.
 */
export function givenKeys(env: NodeJS.ProcessEnv): GivenKeys | undefined {
  const adminKey = env.DTF_ADMIN_KEY || undefined;
  const workerToken = env.DTF_WORKER_TOKEN || undefined;
  if (adminKey === undefined && workerToken === undefined) return undefined;
  if (adminKey === undefined || workerToken === undefined) {
    throw new UsageError(
      `DTF_ADMIN_KEY and DTF_WORKER_TOKEN go together: ${adminKey === undefined ? 'DTF_ADMIN_KEY' : 'DTF_WORKER_TOKEN'} is not set`,
    );
  }
  if (adminKey === workerToken) {
    throw new UsageError(
      'DTF_ADMIN_KEY and DTF_WORKER_TOKEN must differ: each grants another role',
    );
  }
  return {
    adminKey: checked('DTF_ADMIN_KEY', adminKey),
    workerToken: checked('DTF_WORKER_TOKEN', workerToken),
  };
}
