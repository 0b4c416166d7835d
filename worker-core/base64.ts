/** `Uint8Array.fromBase64` and `toBase64`, where the runtime has them (recent browsers). */
interface NativeBase64 {
  fromBase64?: (text: string) => Uint8Array;
}
const native = Uint8Array as unknown as NativeBase64;
const hasToBase64 = typeof (Uint8Array.prototype as { toBase64?: unknown }).toBase64 === 'function';

/** Characters per `String.fromCharCode` call: well under any engine's argument limit. */
const CHUNK = 0x8000;

/** Base64 of `bytes`, natively where the runtime can, else through `btoa`. */
export function toBase64(bytes: Uint8Array): string {
  if (hasToBase64) return (bytes as Uint8Array & { toBase64(): string }).toBase64();
  let binary = '';
  for (let at = 0; at < bytes.length; at += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(at, at + CHUNK));
  }
  return btoa(binary);
}

/** The bytes of base64 `text`; throws on text that is not base64. */
export function fromBase64(text: string): Uint8Array {
  if (native.fromBase64 !== undefined) return native.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
