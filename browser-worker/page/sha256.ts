import { unsharedBytes } from '../../worker-core/index.js';

/** Hex SHA-256 with the browser's own digest (crypto.subtle needs a secure context). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', unsharedBytes(bytes));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
