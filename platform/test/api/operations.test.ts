import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { adminKey, backend, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { openSession } from '../support/sessions.ts';

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

describe('operations endpoints', () => {
  it('is live and ready, naming what it checked', async () => {
    expect((await api.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api.call('GET', '/readyz');
    expect(ready.status, describeResponse(ready)).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: backend === 'postgres' ? 'ok' : 'disabled', blobs: 'ok' },
    });
  });

  it('exposes Prometheus metrics labelled by route template', async () => {
    await api.call('GET', '/v1/jobs', { key: tenant.testKey });
    const res = await api.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('viva_http_request_duration_seconds_bucket');
    expect(res.text).toContain('route="/v1/jobs"');
    // The database pool, read at the scrape (background workers may hold a connection at that moment).
    expect(res.text).toMatch(/^viva_database_pool_connections\{state="idle"\} \d+$/m);
    expect(res.text).toMatch(/^viva_database_pool_connections\{state="in_use"\} \d+$/m);
    expect(res.text).toMatch(/^viva_database_pool_waiting \d+$/m);
  });

  it('serves the spec and rendered docs', async () => {
    const spec = await api.call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(spec.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(spec.body.paths)).toContain('/v1/jobs');
    const docs = await api.call('GET', '/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    const specUrl = /spec-url="([^"]+)"/.exec(docs.text)?.[1] ?? '';
    const named = await fetch(new URL(specUrl, `${test.url}/docs`));
    expect(named.status, 'the spec the page names').toBe(200);
    expect(new URL(specUrl, 'https://ats.example/viva/docs').pathname, 'under a path').toBe(
      '/viva/openapi.json',
    );
    // With a trailing slash the relative name would miss: the page sends the browser to itself without it.
    const slashed = await fetch(`${test.url}/docs/`, { redirect: 'manual' });
    expect(slashed.status).toBe(302);
    expect(new URL(slashed.headers.get('location')!, `${test.url}/docs/`).pathname).toBe('/docs');
  });
});

describe('every response', () => {
  it('carries a request id, also on errors, and the problem body repeats it', async () => {
    const ok = await api.call('GET', '/healthz');
    expect(ok.headers.get('x-request-id')).toMatch(/^req_/);
    const err = await api.call('GET', '/v1/jobs');
    expect(err.headers.get('x-request-id')).toBe((err.body as { request_id: string }).request_id);
  });

  it('carries security headers', async () => {
    const res = await api.call('GET', '/v1/jobs', { key: tenant.testKey });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toContain('max-age');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('from the API is never stored by a cache, errors included', async () => {
    const responses = {
      'a new API key': await api.call('POST', '/v1/api_keys', {
        key: tenant.testKey,
        body: { name: 'cached?' },
      }),
      'a refusal': await api.call('GET', '/v1/jobs'),
      'an unknown route': await api.call('GET', '/v1/nothing-here', { key: tenant.testKey }),
      'a path spelled in capitals': await api.call('GET', '/V1/JOBS', { key: tenant.testKey }),
      'a new tenant': await api.call('POST', '/admin/v1/tenants', {
        key: adminKey,
        body: { name: 'Cached' },
      }),
      'an operator refusal': await api.call('POST', '/admin/v1/tenants', { body: { name: 'Cached' } }),
    };
    for (const [name, res] of Object.entries(responses)) {
      expect(res.headers.get('cache-control'), `${name}: ${describeResponse(res)}`).toBe('no-store');
    }
  });

  it('keeps the caching a route asks for itself', async () => {
    const jwks = await api.call('GET', '/.well-known/jwks.json');
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    const { token } = await openSession(api, tenant.testKey);
    const aborted = new AbortController();
    const stream = await fetch(`${test.url}/v1/session/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: aborted.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('cache-control')).toBe('no-store, no-transform');
    aborted.abort();
  });

  it('answers CORS preflights for the API', async () => {
    const res = await fetch(`${test.url}/v1/jobs`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://ats.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://ats.example.com');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('answers unknown routes and methods with problem+json, never a stack', async () => {
    const missing = await api.call('GET', '/v1/nothing-here', { key: tenant.testKey });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'route_not_found', status: 404 });
    const wrongMethod = await api.call('PUT', '/v1/jobs', { key: tenant.testKey });
    expect(wrongMethod.status, describeResponse(wrongMethod)).toBe(405);
    expect(wrongMethod.body).toMatchObject({ code: 'method_not_allowed' });
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    const unknownMethod = await api.call('PROPFIND', '/v1/jobs', { key: tenant.testKey });
    expect(unknownMethod.status, describeResponse(unknownMethod)).toBe(405);
  });

  it('reports rate-limit budget on API responses', async () => {
    const res = await api.call('GET', '/v1/jobs', { key: tenant.testKey });
    expect(Number(res.headers.get('ratelimit-limit'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit-remaining')).not.toBeNull();
    expect(res.headers.get('ratelimit-reset')).not.toBeNull();
  });
});
