/** Hex SHA-256 with the browser's own digest (crypto.subtle needs a secure context). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // digest() refuses views of shared memory; those are copied first.
  const own =
    bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  const digest = await crypto.subtle.digest('SHA-256', own);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
