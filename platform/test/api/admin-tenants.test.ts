import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, describeResponse } from '../support/api.ts';
import { jobInput } from '../support/fixtures.ts';
import { adminKey, startTestPlatform, type TestPlatform } from '../support/harness.ts';

type Tenant = { id: string; object: string; name: string };
type TenantList = { object: string; data: Tenant[]; has_more: boolean };
type Key = { id: string; object: string; livemode: boolean; name: string; scopes: string[]; secret?: string };

let test: TestPlatform;
let api: ApiClient;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
});
afterAll(async () => test?.stop());

async function newTenant(name: string) {
  const res = await api.call<{ tenant: Tenant; api_keys: { test: string; live: string } }>(
    'POST',
    '/admin/v1/tenants',
    { key: adminKey, body: { name } },
  );
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

const issueKey = (tenantId: string, body: unknown, key: string | null = adminKey) =>
  api.call<Key>('POST', `/admin/v1/tenants/${tenantId}/api_keys`, { key, body });

describe('operator: listing tenants', () => {
  it('lists every tenant, newest first, a page at a time', async () => {
    const made: string[] = [];
    for (const name of ['Paged A', 'Paged B', 'Paged C']) made.push((await newTenant(name)).tenant.id);

    const first = await api.call<TenantList>('GET', '/admin/v1/tenants?limit=1', { key: adminKey });
    expect(first.status, describeResponse(first)).toBe(200);
    expect(first.body).toMatchObject({
      object: 'list',
      data: [{ id: made[2], object: 'tenant', name: 'Paged C' }],
      has_more: true,
    });
    expect(first.text).not.toMatch(/sk_(test|live)_/);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await api.call<TenantList>(
        'GET',
        `/admin/v1/tenants?limit=2${cursor ? `&starting_after=${cursor}` : ''}`,
        { key: adminKey },
      );
      expect(page.status, describeResponse(page)).toBe(200);
      expect(page.body.data.length, describeResponse(page)).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((t) => t.id));
      if (!page.body.has_more) break;
      cursor = page.body.data.at(-1)!.id;
    }
    expect(seen.slice(0, 3)).toEqual([...made].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort().reverse());

    const all = await api.call<TenantList>('GET', '/admin/v1/tenants', { key: adminKey });
    expect(all.body.data.map((t) => t.id)).toEqual(seen.slice(0, 20));
  });

  it('refuses a bad page and anyone but the operator', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=two', 'starting_after=job_1', 'order=asc']) {
      const bad = await api.call('GET', `/admin/v1/tenants?${query}`, { key: adminKey });
      expect(bad.status, `${query}: ${describeResponse(bad)}`).toBe(400);
      expect(bad.body).toMatchObject({ code: 'invalid_request' });
    }
    const { api_keys } = await newTenant('Not The Operator');
    for (const key of ['wrong-admin-key-0123456789abcdef', api_keys.test, null]) {
      const res = await api.call('GET', '/admin/v1/tenants', { key });
      expect(res.status, describeResponse(res)).toBe(401);
      expect(res.body).toMatchObject({ code: 'unauthenticated' });
      expect(res.text).not.toContain('Not The Operator');
    }
  });
});

describe('operator: issuing a tenant a key', () => {
  it('lets a tenant that revoked its last key back in', async () => {
    const { tenant, api_keys } = await newTenant('Locked Out');
    const keys = await api.call<{ data: Key[] }>('GET', '/v1/api_keys', { key: api_keys.test });
    expect(keys.body.data, describeResponse(keys)).toHaveLength(1);
    const revoked = await api.call('DELETE', `/v1/api_keys/${keys.body.data[0]!.id}`, { key: api_keys.test });
    expect(revoked.status, describeResponse(revoked)).toBe(200);
    const lockedOut = await api.call('GET', '/v1/jobs', { key: api_keys.test });
    expect(lockedOut.status, describeResponse(lockedOut)).toBe(401);

    const issued = await issueKey(tenant.id, { name: 'Recovery', mode: 'test' });
    expect(issued.status, describeResponse(issued)).toBe(201);
    expect(issued.body).toMatchObject({
      object: 'api_key',
      livemode: false,
      name: 'Recovery',
      scopes: ['*'],
      expires_at: null,
      last_used_at: null,
    });
    expect(issued.body.secret).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);

    const secret = issued.body.secret!;
    const back = await api.call<{ data: Key[] }>('GET', '/v1/api_keys', { key: secret });
    expect(back.status, describeResponse(back)).toBe(200);
    expect(back.body.data.map((k) => k.id)).toEqual([issued.body.id]);
    expect(back.text).not.toContain(secret);
    const job = await api.call('POST', '/v1/jobs', { key: secret, body: jobInput });
    expect(job.status, describeResponse(job)).toBe(201);
    // The other mode's keys are untouched, and its objects stay apart.
    const live = await api.call<{ data: unknown[] }>('GET', '/v1/jobs', { key: api_keys.live });
    expect(live.status, describeResponse(live)).toBe(200);
    expect(live.body.data).toEqual([]);
  });

  it('issues live keys, and narrower ones when asked', async () => {
    const { tenant } = await newTenant('Narrow');
    const live = await issueKey(tenant.id, { name: 'Live recovery', mode: 'live' });
    expect(live.status, describeResponse(live)).toBe(201);
    expect(live.body).toMatchObject({ livemode: true, scopes: ['*'] });
    expect(live.body.secret).toMatch(/^sk_live_/);
    const liveKeys = await api.call('GET', '/v1/api_keys', { key: live.body.secret! });
    expect(liveKeys.status, describeResponse(liveKeys)).toBe(200);

    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const reader = await issueKey(tenant.id, {
      name: 'Reader',
      mode: 'test',
      scopes: ['jobs:read'],
      expires_at: expiresAt,
    });
    expect(reader.status, describeResponse(reader)).toBe(201);
    expect(reader.body).toMatchObject({ scopes: ['jobs:read'], expires_at: expiresAt });
    const jobs = await api.call('GET', '/v1/jobs', { key: reader.body.secret! });
    expect(jobs.status, describeResponse(jobs)).toBe(200);
    const keys = await api.call('GET', '/v1/api_keys', { key: reader.body.secret! });
    expect(keys.status, describeResponse(keys)).toBe(403);
  });

  it('refuses a wrong operator key, a tenant key, an unknown tenant and a bad body', async () => {
    const { tenant, api_keys } = await newTenant('Guarded');
    for (const key of ['wrong-admin-key-0123456789abcdef', api_keys.live, null]) {
      const res = await issueKey(tenant.id, { name: 'Sneaky', mode: 'live' }, key);
      expect(res.status, describeResponse(res)).toBe(401);
      expect(res.body).toMatchObject({ code: 'unauthenticated' });
    }
    for (const id of ['ten_00000000000000000000000000', 'ten_nope', 'job_06h0aanv5w000nbtfhyqgtycvm']) {
      const missing = await issueKey(id, { name: 'Ghost', mode: 'test' });
      expect(missing.status, `${id}: ${describeResponse(missing)}`).toBe(404);
      expect(missing.body).toMatchObject({ code: 'resource_missing' });
    }
    for (const body of [
      {},
      { name: 'No mode' },
      { mode: 'test' },
      { name: '', mode: 'test' },
      { name: 'Prod', mode: 'prod' },
      { name: 'Root', mode: 'test', scopes: ['root'] },
      { name: 'Nothing', mode: 'test', scopes: [] },
      { name: 'Tenant', mode: 'test', tenant_id: tenant.id },
      { name: 'Stale', mode: 'test', expires_at: '2020-01-01T00:00:00Z' },
      { name: 'Garbled', mode: 'test', expires_at: 'tomorrow' },
    ]) {
      const bad = await issueKey(tenant.id, body);
      expect(bad.status, `${JSON.stringify(body)}: ${describeResponse(bad)}`).toBe(400);
      expect(bad.body).toMatchObject({ code: 'invalid_request' });
    }
    const stale = await issueKey(tenant.id, {
      name: 'Stale',
      mode: 'test',
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(stale.body).toMatchObject({ param: 'expires_at' });
    const notJson = await api.call('POST', `/admin/v1/tenants/${tenant.id}/api_keys`, {
      key: adminKey,
      body: 'name=x&mode=test',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status, describeResponse(notJson)).toBe(415);
    // None of the refusals issued a key.
    const keys = await api.call<{ data: Key[] }>('GET', '/v1/api_keys', { key: api_keys.test });
    expect(keys.body.data.map((k) => k.name)).toEqual(['Default test key']);
  });
});
