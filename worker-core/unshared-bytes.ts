/**
 * The bytes in memory of their own: a view of shared memory (onnxruntime-web's, with threads)
 * is copied, since `crypto.subtle.digest` and `fetch` refuse those.
 */
export function unsharedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}
