import { randomUUID } from 'node:crypto';
import type { components } from '@viva/openapi/types';

export type Schemas = components['schemas'];
type Problem = Schemas['Problem'];

/** A failed call to the platform, as the page shows it: the problem's `detail`, never a stack. */
export class DemoApiError extends Error {
  override name = 'DemoApiError';
  /** The platform's status, or 502 when it could not be reached. */
  readonly status: number;
  readonly detail: string;
  readonly code: string | null;
  /** The request field at fault (`title`, `rubric.dimensions.0.weight`), when the problem names one. */
  readonly param: string | null;
  readonly fieldErrors: { pointer: string; detail: string }[];
  readonly requestId: string | null;

  constructor(
    status: number,
    detail: string,
    problem: Partial<Problem> = {},
    requestId: string | null = null,
  ) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.code = problem.code ?? null;
    this.param = problem.param ?? null;
    this.fieldErrors = (problem.errors ?? []).map((e) => ({ pointer: e.pointer, detail: e.detail }));
    this.requestId = problem.request_id ?? requestId;
  }
}

/**
 * The demo's own REST client: it calls the platform over HTTP with the demo tenant's secret key, exactly as
 * an ATS backend would, rather than calling the platform's functions. The key never leaves the server.
 */
export class DemoApi {
  readonly #base: string;
  readonly #key: string;

  constructor(base: string, key: string) {
    this.#base = base;
    this.#key = key;
  }

  get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }

  /** Every POST carries a fresh Idempotency-Key, as an ATS retrying after a network failure would. */
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.#call<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('PATCH', path, body);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = randomUUID();
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new DemoApiError(
        502,
        `Could not reach the platform at ${this.#base}: ${(error as Error).message}.`,
      );
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    let problem: Partial<Problem> = {};
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      // Not a problem document (a proxy's error page): the status says enough.
    }
    throw new DemoApiError(
      response.status,
      problem.detail ?? `The platform answered ${response.status} to ${method} ${path}.`,
      problem,
      response.headers.get('x-request-id'),
    );
  }
}

/** A query string from defined values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
