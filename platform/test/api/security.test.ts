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
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The security cases every /v1 route must pass, generated from the spec so a new route is covered the day it
 * is added: no key, a malformed key, a well-formed unknown key, a revoked key (401); a key without the
 * scope (403); another tenant's object and the other mode's object (404, never 403), where the owner's
 * own key reads that object, so the 404 is about whose it is; and every list, which shows the owner's
 * object to the owner and to no one else. The widget's session-token routes have their own suite
 * (sessions.test.ts).
 */
const routes = specRoutes(loadSpec()).filter((r) => r.operation.security?.some((s) => 'SecretKey' in s));

let test: TestPlatform;
let api: ApiClient;
let owner: TestTenant;
let intruder: TestTenant;
let ids: Record<string, string>;
let noScopeKey: string;
let revokedKey: string;
let receiver: WebhookReceiver;

const resourceOf = (path: string) => path.split('/')[2]!;

function pathFor(path: string, objectIds: Record<string, string>): string {
  const id = objectIds[resourceOf(path)];
  if (!id) throw new Error(`No object for ${path}: create one in beforeAll`);
  return path.replace('{id}', id);
}

/** The first object of a list the owner's test key reads, waiting for one to appear. */
async function firstListed(path: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await api.call<{ data: { id: string }[] }>('GET', path, { key: owner.testKey });
    const id = res.body.data?.[0]?.id;
    if (id) return id;
    if (Date.now() > deadline) throw new Error(`Nothing listed at ${path}: ${describeResponse(res)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  test = await startTestPlatform({ VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  api = apiClient(test.url);
  owner = await createTestTenant(api, 'Owner');
  intruder = await createTestTenant(api, 'Intruder');
  receiver = await startWebhookReceiver();
  const endpoint = await api.call<{ id: string }>('POST', '/v1/webhook_endpoints', {
    key: owner.testKey,
    body: { url: receiver.url, enabled_events: ['*'] },
  });
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
    webhook_endpoints: endpoint.body.id,
    // The interview's `interview.scheduled`, and its delivery to the endpoint.
    events: await firstListed('/v1/events'),
    webhook_deliveries: await firstListed(`/v1/webhook_endpoints/${endpoint.body.id}/deliveries`),
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
  await receiver?.close();
});

describe.each(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
  '%s',
  (_name, route) => {
    const method = route.method.toUpperCase();
    // A body that passes validation where one is needed, so what is tested is the key, not the input.
    const body =
      route.path === '/v1/webhook_endpoints/{id}/recover'
        ? { since: new Date(Date.now() - 60_000).toISOString() }
        : method === 'PATCH'
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

    // Reads only: a write by the owner would change what the other cases see. A scorecard is missing
    // until the interview completes, so the owner's answer need only differ from the intruder's.
    it.runIf(route.path.includes('{id}') && method === 'GET')(
      'finds the object with its owner’s key',
      async () => {
        const mine = await send(owner.testKey);
        const theirs = await send(intruder.testKey);
        expect(mine.body, describeResponse(mine)).not.toMatchObject({ detail: theirs.body.detail });
      },
    );

    it.runIf(method === 'GET' && !route.path.includes('{id}'))(
      "lists the owner's object to the owner only, never to another tenant or the other mode",
      async () => {
        const listed = async (key: string) =>
          (await api.call<{ data: { id: string }[] }>('GET', route.path, { key })).body.data.map((o) => o.id);
        const id = ids[resourceOf(route.path)];
        expect(await listed(owner.testKey)).toContain(id);
        for (const key of [intruder.testKey, owner.liveKey]) expect(await listed(key)).not.toContain(id);
      },
    );
  },
);
