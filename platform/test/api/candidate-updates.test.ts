import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

type Candidate = {
  id: string;
  created_at: string;
  updated_at: string;
  name: string;
  email: string | null;
  external_id: string | null;
  metadata: Record<string, string>;
  resume: { url: string } | null;
};

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

async function newCandidate(key = tenant.testKey): Promise<Candidate> {
  const res = await api.call<Candidate>('POST', '/v1/candidates', {
    key,
    body: {
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      external_id: 'ats-cand-1',
      metadata: { source: 'referral', stage: 'screen' },
    },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

const patch = (id: string, body: unknown, key = tenant.testKey) =>
  api.call<Candidate>('PATCH', `/v1/candidates/${id}`, { key, body });

describe('PATCH /v1/candidates/{id}', () => {
  it('changes only what it names, merges metadata, and moves updated_at', async () => {
    const created = await newCandidate();
    expect(created.updated_at).toBe(created.created_at);
    const res = await patch(created.id, {
      name: 'Augusta Ada King',
      email: null,
      metadata: { source: null, stage: 'onsite', team: 'payments' },
    });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      object: 'candidate',
      name: 'Augusta Ada King',
      email: null,
      external_id: 'ats-cand-1',
      metadata: { stage: 'onsite', team: 'payments' },
      created_at: created.created_at,
    });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    const read = await api.call<Candidate>('GET', `/v1/candidates/${created.id}`, { key: tenant.testKey });
    expect(read.body, describeResponse(read)).toEqual(res.body);

    const cleared = await patch(created.id, { external_id: null, email: 'ada@analytical.example' });
    expect(cleared.status, describeResponse(cleared)).toBe(200);
    expect(cleared.body).toMatchObject({ external_id: null, email: 'ada@analytical.example' });
  });

  it('hands back a fresh résumé link with the updated candidate', async () => {
    const created = await newCandidate();
    const uploaded = await api.call<Candidate>('PUT', `/v1/candidates/${created.id}/resume?filename=cv.txt`, {
      key: tenant.testKey,
      rawBody: 'Ada Lovelace, analyst.',
      headers: { 'content-type': 'text/plain' },
    });
    expect(uploaded.status, describeResponse(uploaded)).toBe(200);
    expect(Date.parse(uploaded.body.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    const res = await patch(created.id, { metadata: { stage: 'offer' } });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.resume?.url, describeResponse(res)).toBeTruthy();
    expect((await fetch(res.body.resume!.url)).status).toBe(200);
  });

  const invalid: [string, unknown, string][] = [
    ['an unknown field', { nickname: 'Ada' }, '/body/nickname'],
    ['a bad email', { email: 'not-an-email' }, '/body/email'],
    ['an empty name', { name: '' }, '/body/name'],
    ['a non-string metadata value', { metadata: { a: 1 } }, '/body/metadata/a'],
  ];

  it.each(invalid)('refuses %s (400 invalid_request) and changes nothing', async (_name, body, pointer) => {
    const created = await newCandidate();
    const res = await patch(created.id, body);
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', status: 400 });
    const errors = (res.body as unknown as { errors: { pointer: string }[] }).errors;
    expect(
      errors.map((e) => e.pointer),
      describeResponse(res),
    ).toContain(pointer);
    const read = await api.call<Candidate>('GET', `/v1/candidates/${created.id}`, { key: tenant.testKey });
    expect(read.body).toEqual(created);
  });

  it('refuses an empty PATCH', async () => {
    const created = await newCandidate();
    const res = await patch(created.id, {});
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request' });
  });

  it('refuses a merge that would hold more than 50 metadata keys', async () => {
    const created = await newCandidate();
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    const res = await patch(created.id, { metadata: many });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'metadata' });
  });

  it('answers 404 for an erased candidate, as every other request about them does', async () => {
    const created = await newCandidate();
    const erased = await api.call('DELETE', `/v1/candidates/${created.id}`, { key: tenant.testKey });
    expect(erased.status, describeResponse(erased)).toBe(200);
    const res = await patch(created.id, { name: 'Ada' });
    expect(res.status, describeResponse(res)).toBe(404);
    expect(res.body).toMatchObject({ code: 'resource_missing' });
  });

  it("answers 404 for another tenant's candidate and for the other mode's, and changes nothing", async () => {
    const created = await newCandidate();
    const other = await createTestTenant(api, 'Other');
    for (const key of [other.testKey, tenant.liveKey]) {
      const res = await patch(created.id, { name: 'Mallory' }, key);
      expect(res.status, describeResponse(res)).toBe(404);
      expect(res.body).toMatchObject({ code: 'resource_missing' });
    }
    const live = await newCandidate(tenant.liveKey);
    const crossMode = await patch(live.id, { name: 'Mallory' });
    expect(crossMode.status, describeResponse(crossMode)).toBe(404);
    const read = await api.call<Candidate>('GET', `/v1/candidates/${created.id}`, { key: tenant.testKey });
    expect(read.body.name).toBe('Ada Lovelace');
  });

  it('refuses a read-only key (403)', async () => {
    const created = await newCandidate();
    const key = await api.call<{ secret: string }>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'read only', scopes: ['*:read'] },
    });
    expect(key.status, describeResponse(key)).toBe(201);
    const res = await patch(created.id, { name: 'Ada' }, key.body.secret);
    expect(res.status, describeResponse(res)).toBe(403);
    expect(res.body).toMatchObject({ code: 'insufficient_scope' });
  });

  it('keeps every metadata key of concurrent PATCHes', async () => {
    const created = await newCandidate();
    const keys = Array.from({ length: 10 }, (_, i) => `key_${i}`);
    const results = await Promise.all(keys.map((key) => patch(created.id, { metadata: { [key]: 'set' } })));
    for (const res of results) expect(res.status, describeResponse(res)).toBe(200);
    const read = await api.call<Candidate>('GET', `/v1/candidates/${created.id}`, { key: tenant.testKey });
    expect(Object.keys(read.body.metadata).sort(), describeResponse(read)).toEqual(
      ['source', 'stage', ...keys].sort(),
    );
  });
});
