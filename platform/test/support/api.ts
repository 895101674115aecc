import { adminKey } from './harness.ts';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: RequestInit['body'];
  headers?: Record<string, string>;
  idempotencyKey?: string;
}

/** A small client for tests: returns status, headers and body, and never throws on an HTTP error. */
export function apiClient(baseUrl: string) {
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let body: RequestInit['body'] = options.rawBody;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (metrics, docs): the text is the body.
    }
    return { status: response.status, headers: response.headers, text, body: parsed as T };
  }
  return { call };
}

export type ApiClient = ReturnType<typeof apiClient>;

export interface TestTenant {
  id: string;
  testKey: string;
  liveKey: string;
}

export async function createTestTenant(api: ApiClient, name = 'Acme ATS'): Promise<TestTenant> {
  const res = await api.call<{ tenant: { id: string }; api_keys: { test: string; live: string } }>(
    'POST',
    '/admin/v1/tenants',
    { key: adminKey, body: { name } },
  );
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${res.text}`);
  return { id: res.body.tenant.id, testKey: res.body.api_keys.test, liveKey: res.body.api_keys.live };
}

/** Describes a response whole, so a failing assertion explains itself. */
export function describeResponse(res: ApiResponse<unknown>): string {
  return `${res.status} ${res.text}`;
}
