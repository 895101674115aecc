/**
 * The `fetch` the client sends its requests through: it resends a request that did not get a final answer,
 * with the same headers, so a POST goes again under the same `Idempotency-Key` and Viva returns the first
 * result instead of running it twice. openapi-fetch itself never retries.
 */

export type Transport = (request: Request) => Promise<Response>;

export interface RetryOptions {
  /** How many times a request is sent at most, the first time included. Default 4. */
  attempts?: number;
  /** What actually sends a request. Default: the global `fetch`. */
  fetch?: Transport;
}

/** A `Retry-After` longer than this is not worth blocking an invitation for: the last answer is returned. */
const maxRetryAfterMs = 60_000;

export function retryingFetch({ attempts = 4, fetch: send = fetch }: RetryOptions = {}): Transport {
  return async function fetchWithRetries(request) {
    const tries = safeToResend(request) ? attempts : 1;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= tries;
      let response: Response;
      try {
        // A body can be read once: every attempt sends a copy, and the original stays unread for the next.
        response = await send(request.clone());
      } catch (error) {
        // fetch rejects with a TypeError when the connection fails or drops; anything else (an abort, a bug)
        // is not a reason to send again.
        if (last || !(error instanceof TypeError)) throw error;
        await sleep(backoffMs(attempt));
        continue;
      }
      if (last || !(await isTransient(response))) return response;
      const wait = retryAfterMs(response) ?? backoffMs(attempt);
      if (wait > maxRetryAfterMs) return response;
      // Free the connection before waiting: the answer is not the one we keep.
      await response.body?.cancel();
      await sleep(wait);
    }
  };
}

/**
 * GET, PUT and DELETE change nothing more when repeated. A POST does, unless it carries an Idempotency-Key.
 * PATCH is left alone: merging `metadata` twice is harmless, but that is the endpoint's business, not a rule.
 */
function safeToResend(request: Request): boolean {
  if (['GET', 'HEAD', 'PUT', 'DELETE'].includes(request.method)) return true;
  return request.method === 'POST' && request.headers.has('idempotency-key');
}

/**
 * Worth another attempt: rate limited (429), failed on Viva's side (5xx, never recorded against the key), or
 * the same key still running elsewhere (a 409 with this code; other 409s, such as `invalid_state`, are final).
 */
async function isTransient(response: Response): Promise<boolean> {
  if (response.status === 429 || response.status >= 500) return true;
  if (response.status !== 409) return false;
  const problem: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  return (
    typeof problem === 'object' &&
    problem !== null &&
    'code' in problem &&
    problem.code === 'idempotency_key_in_use'
  );
}

/** `Retry-After` in seconds or as an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
function retryAfterMs(response: Response): number | null {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** 0.5 s, 1 s, 2 s, …, each shortened by up to a quarter so that clients failed together do not retry together. */
function backoffMs(attempt: number): number {
  return 500 * 2 ** (attempt - 1) * (1 - Math.random() / 4);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
