/** What one POST to a webhook came to. */
export interface SendOutcome {
  /** The receiver answered 2xx. */
  ok: boolean;
  responseStatus?: number;
  error?: string;
}

export type Send = (
  url: string,
  headers: Record<string, string>,
  body: string,
) => Promise<SendOutcome>;

/** How long a receiver has to answer before the attempt counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** What a failed fetch says, with the system's code (`ECONNREFUSED`) where it gives one. */
function fetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string }) : undefined;
  if (cause?.message !== undefined) {
    return cause.code === undefined || cause.message.includes(cause.code)
      ? cause.message
      : `${cause.message} (${cause.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * POSTs `body` and reads nothing of the answer but its status. Redirects are not followed: a
 * webhook's URL is where its deliveries go, and nowhere its receiver points them next.
 */
export const postWebhook: Send = async (url, headers, body) => {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const responseStatus = response.status;
    if (responseStatus >= 200 && responseStatus < 300) return { ok: true, responseStatus };
    const location = response.headers.get('location');
    const error =
      responseStatus >= 300 && responseStatus < 400
        ? `redirected (HTTP ${responseStatus}${location === null ? '' : ` to ${location.slice(0, 200)}`}): not followed`
        : `HTTP ${responseStatus}`;
    return { ok: false, responseStatus, error };
  } catch (error) {
    return { ok: false, error: fetchFailure(error).slice(0, 1024) };
  }
};
