import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a delivery is signed: `X-DTF-Signature: sha256=<hex>`, the HMAC-SHA256 under the
 * webhook's secret of `<X-DTF-Timestamp>.<body>`. The timestamp (seconds since the epoch) is
 * signed with the body so that a receiver can refuse a delivery replayed long after it was sent.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether `signature` is the one `webhookSignature` gives, compared in constant time. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: number,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
