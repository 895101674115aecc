import type { components, paths } from '@viva/openapi/types';
import createClient from 'openapi-fetch';
import { type RetryOptions, retryingFetch } from './retrying-fetch.ts';

/**
 * A client for Viva's REST API, typed end to end: every path, parameter, body and response is checked
 * against Viva's OpenAPI spec. `paths` comes from openapi-typescript; outside this repository, generate it
 * from your platform's spec and import it from there:
 *
 *   npx openapi-typescript https://your-viva.example/openapi.json -o src/viva-api.ts
 */

type Problem = components['schemas']['Problem'];

/** A failed call, with everything support needs: the stable `code`, the detail and the request id. */
export class VivaError extends Error {
  override name = 'VivaError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;

  constructor(status: number, code: string, detail: string, requestId: string | null) {
    super(`${status} ${code}: ${detail}${requestId ? ` (request ${requestId})` : ''}`);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

/**
 * `options.attempts` bounds the retries; `options.fetch` replaces the transport (the tests drop connections
 * with it).
 */
export function vivaClient(baseUrl: string, apiKey: string, options: RetryOptions = {}) {
  return createClient<paths>({
    baseUrl,
    headers: { authorization: `Bearer ${apiKey}` },
    fetch: retryingFetch(options),
  });
}

export type VivaClient = ReturnType<typeof vivaClient>;

/** openapi-fetch returns `{ data, error, response }`; this turns an error into a thrown `VivaError`. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined) return result.data;
  const { status, headers } = result.response;
  // Viva answers errors with a problem+json body; a proxy in between may not.
  const problem = isProblem(result.error)
    ? result.error
    : { code: 'unexpected_response', detail: `HTTP ${status} without a problem body` };
  throw new VivaError(status, problem.code, problem.detail, headers.get('x-request-id'));
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && 'code' in body && 'detail' in body;
}
