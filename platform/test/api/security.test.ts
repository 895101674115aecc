import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, specRoutes } from '../../src/openapi/spec.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

/**
 * The security cases every /v1 route must pass, generated from the spec so a new route is covered the day it
 * is added: no key, a malformed key, a well-formed unknown key, a revoked key (401); a key without the
 * scope (403); another tenant's object and the other mode's object (404, never 403). The widget's
 * session-token routes have their own suite (sessions.test.ts).
 */
const routes = specRoutes(loadSpec()).filter((r) => r.operation.security?.some((s) => 'SecretKey' in s));

let test: TestPlatform;
let api: ApiClient;
let owner: TestTenant;
let intruder: TestTenant;
let ids: Record<string, string>;
let noScopeKey: string;
let revokedKey: string;

const resourceOf = (path: string) => path.split('/')[2]!;

function pathFor(path: string, objectIds: Record<string, string>): string {
  const resource = resourceOf(path);
  return path.replace('{id}', objectIds[resource] ?? 'job_00000000000000000000000000');
}

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  owner = await createTestTenant(api, 'Owner');
  intruder = await createTestTenant(api, 'Intruder');
  const made = await createInterview(api, owner.testKey);
  const key = await api.call<{ id: string; secret: string }>('POST', '/v1/api_keys', {
    key: owner.testKey,
    body: { name: 'spare', scopes: ['*'] },
  });
  ids = {
    jobs: made.jobId,
    candidates: made.candidateId,
    interviews: made.interviewId,
    api_keys: key.body.id,
  };
  // A key that can read keys and nothing else: every other route refuses it.
  noScopeKey = (
    await api.call<{ secret: string }>('POST', '/v1/api_keys', {
      key: owner.testKey,
      body: { name: 'narrow', scopes: ['api_keys:read'] },
    })
  ).body.secret;
  const revoked = await api.call<{ id: string; secret: string }>('POST', '/v1/api_keys', {
    key: owner.testKey,
    body: { name: 'to revoke' },
  });
  revokedKey = revoked.body.secret;
  await api.call('DELETE', `/v1/api_keys/${revoked.body.id}`, { key: owner.testKey });
});

afterAll(async () => {
  await test?.stop();
});

describe.each(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
  '%s',
  (_name, route) => {
    const method = route.method.toUpperCase();
    // A body that passes validation where one is needed, so what is tested is the key, not the input.
    const body =
      method === 'PATCH'
        ? { metadata: { probe: 'yes' } }
        : method === 'GET' || method === 'DELETE'
          ? undefined
          : {};
    const send = (key: string | null) => api.call(method, pathFor(route.path, ids), { key, body });

    it('refuses a request without a key (401)', async () => {
      const res = await send(null);
      expect(res.status, describeResponse(res)).toBe(401);
      expect(res.body).toMatchObject({ code: 'unauthenticated', status: 401 });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    });

    it('refuses malformed, unknown and revoked keys alike (401)', async () => {
      const unknown = `sk_test_${'A'.repeat(32)}000000`;
      for (const key of ['not-a-key', unknown, revokedKey]) {
        const res = await send(key);
        expect(res.status, `${key}: ${describeResponse(res)}`).toBe(401);
        expect(res.body).toMatchObject({ code: 'invalid_api_key' });
      }
    });

    it.skipIf(resourceOf(route.path) === 'api_keys' && method === 'GET')(
      'refuses a key without the scope (403)',
      async () => {
        const res = await send(noScopeKey);
        expect(res.status, describeResponse(res)).toBe(403);
        expect(res.body).toMatchObject({ code: 'insufficient_scope' });
      },
    );

    it.runIf(route.path.includes('{id}'))(
      "answers 404 for another tenant's object and for the other mode's",
      async () => {
        for (const key of [intruder.testKey, owner.liveKey]) {
          const res = await send(key);
          expect(res.status, describeResponse(res)).toBe(404);
          expect(res.body).toMatchObject({ code: 'resource_missing' });
        }
      },
    );
  },
);
