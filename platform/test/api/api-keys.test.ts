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
import { adminKey, startTestPlatform, type TestPlatform } from '../support/harness.ts';

type Key = {
  id: string;
  object: string;
  name: string;
  scopes: string[];
  redacted: string;
  secret?: string;
  livemode: boolean;
  expires_at: string | null;
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

const newKey = (body: unknown, key = tenant.testKey) => api.call<Key>('POST', '/v1/api_keys', { key, body });

describe('operator: tenants', () => {
  it('creates a tenant with one test and one live key', async () => {
    const res = await api.call<{ tenant: { id: string }; api_keys: { test: string; live: string } }>(
      'POST',
      '/admin/v1/tenants',
      {
        key: adminKey,
        body: { name: 'Globex', allowed_origins: ['https://careers.globex.com'] },
      },
    );
    expect(res.status, describeResponse(res)).toBe(201);
    expect(res.body.tenant).toMatchObject({
      object: 'tenant',
      name: 'Globex',
      allowed_origins: ['https://careers.globex.com'],
    });
    expect(res.body.api_keys.test).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);
    expect(res.body.api_keys.live).toMatch(/^sk_live_[0-9A-Za-z]{38}$/);
  });

  it('updates a tenant: the fields sent, and the logo the widget shows', async () => {
    const created = await api.call<{ tenant: { id: string } }>('POST', '/admin/v1/tenants', {
      key: adminKey,
      body: { name: 'Initech', allowed_origins: ['https://jobs.initech.com'] },
    });
    const id = created.body.tenant.id;
    const logo = 'https://jobs.initech.com/logo.svg';
    const res = await api.call('PATCH', `/admin/v1/tenants/${id}`, {
      key: adminKey,
      body: { logo_url: logo },
    });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toMatchObject({
      id,
      name: 'Initech',
      allowed_origins: ['https://jobs.initech.com'],
      logo_url: logo,
    });
    const origins = await api.call('PATCH', `/admin/v1/tenants/${id}`, {
      key: adminKey,
      body: { allowed_origins: [], name: 'Initech Corp' },
    });
    expect(origins.body).toMatchObject({ name: 'Initech Corp', allowed_origins: [], logo_url: logo });

    for (const body of [
      {},
      { logo_url: 'http://insecure.example/logo.svg' },
      { name: '' },
      { plan: 'gold' },
    ]) {
      const bad = await api.call('PATCH', `/admin/v1/tenants/${id}`, { key: adminKey, body });
      expect(bad.status, `${JSON.stringify(body)}: ${describeResponse(bad)}`).toBe(400);
    }
    const missing = await api.call('PATCH', '/admin/v1/tenants/ten_00000000000000000000000000', {
      key: adminKey,
      body: { name: 'X' },
    });
    expect(missing.status, describeResponse(missing)).toBe(404);
    const tenantKey = await api.call('PATCH', `/admin/v1/tenants/${id}`, {
      key: tenant.testKey,
      body: { name: 'X' },
    });
    expect(tenantKey.status).toBe(401);
  });

  it('refuses a wrong operator key, a tenant key, and a bad body', async () => {
    // The last is as long as the operator key in characters but not in bytes.
    for (const key of [
      'wrong-admin-key-0123456789abcdef',
      tenant.testKey,
      null,
      'é'.repeat(adminKey.length),
    ]) {
      const res = await api.call('POST', '/admin/v1/tenants', { key, body: { name: 'X' } });
      expect(res.status, describeResponse(res)).toBe(401);
      expect(res.body).toMatchObject({ code: 'unauthenticated' });
    }
    const bad = await api.call('POST', '/admin/v1/tenants', { key: adminKey, body: { name: '' } });
    expect(bad.status, describeResponse(bad)).toBe(400);
  });
});

describe('API keys', () => {
  it('shows the secret once, then only its redacted form', async () => {
    const created = await newKey({ name: 'CI', scopes: ['jobs:read'] });
    expect(created.status, describeResponse(created)).toBe(201);
    expect(created.body.secret).toMatch(/^sk_test_/);
    expect(created.body.redacted).toContain('…');
    const list = await api.call<{ data: Key[] }>('GET', '/v1/api_keys?limit=100', { key: tenant.testKey });
    expect(list.text).not.toContain(created.body.secret);
    expect(list.body.data.find((k) => k.id === created.body.id)).toMatchObject({
      name: 'CI',
      scopes: ['jobs:read'],
    });
    expect(list.body.data.every((k) => k.secret === undefined)).toBe(true);
  });

  it('keeps no usable secret in the database', async () => {
    const created = await newKey({ name: 'dump test' });
    const rows = await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute('select * from api_keys');
    expect(JSON.stringify(rows)).not.toContain(created.body.secret!.slice(8));
  });

  it('keeps no usable secret in an idempotent replay, and replays it to the key that asked alone', async () => {
    const body = { name: 'ci deploys' };
    const first = await api.call<Key>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body,
      idempotencyKey: 'rotate-2026-12-07',
    });
    expect(first.status, describeResponse(first)).toBe(201);
    const secret = first.body.secret!;
    const rows = await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute('select * from idempotency_keys');
    expect(JSON.stringify(rows), 'a dump of the replays holds no secret').not.toContain(secret.slice(8));

    const replay = await api.call<Key>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body,
      idempotencyKey: 'rotate-2026-12-07',
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text, 'byte for byte, secret included').toBe(first.text);

    // Another key of the tenant, allowed to create keys but holding fewer scopes, does not get the secret.
    const narrow = await newKey({ name: 'key admin', scopes: ['api_keys:write'] });
    const stolen = await api.call('POST', '/v1/api_keys', {
      key: narrow.body.secret!,
      body,
      idempotencyKey: 'rotate-2026-12-07',
    });
    expect(stolen.status, describeResponse(stolen)).toBe(422);
    expect(stolen.body).toMatchObject({ code: 'idempotency_key_reused' });
    expect(stolen.text).not.toContain(secret);
  });

  it('revokes a key at once', async () => {
    const created = await newKey({ name: 'short-lived' });
    const secret = created.body.secret!;
    expect((await api.call('GET', '/v1/jobs', { key: secret })).status).toBe(200);
    const revoked = await api.call('DELETE', `/v1/api_keys/${created.body.id}`, { key: tenant.testKey });
    expect(revoked.body).toEqual({ id: created.body.id, object: 'api_key', deleted: true });
    const after = await api.call('GET', '/v1/jobs', { key: secret });
    expect(after.status, describeResponse(after)).toBe(401);
  });

  it('rejects an expired key', async () => {
    const created = await newKey({
      name: 'expiring',
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute("update api_keys set expires_at = now() - interval '1 second' where id = ?", [
        created.body.id,
      ]);
    expect((await api.call('GET', '/v1/jobs', { key: created.body.secret! })).status).toBe(401);
  });

  it('will not let an expiring key create a key that outlives it', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const creator = (await newKey({ name: 'expiring admin', expires_at: expiresAt })).body.secret!;
    const at = (offsetMs: number) => new Date(Date.parse(expiresAt) + offsetMs).toISOString();

    const inherits = await newKey({ name: 'no expiry asked' }, creator);
    expect(inherits.status, describeResponse(inherits)).toBe(201);
    expect(inherits.body.expires_at).toBe(expiresAt);
    for (const asked of [at(-60_000), expiresAt]) {
      const res = await newKey({ name: 'no later', expires_at: asked }, creator);
      expect(res.status, describeResponse(res)).toBe(201);
      expect(res.body.expires_at).toBe(asked);
    }

    const later = await newKey({ name: 'outliving', expires_at: at(1_000) }, creator);
    expect(later.status, describeResponse(later)).toBe(400);
    expect(later.body).toMatchObject({
      code: 'invalid_request',
      param: 'expires_at',
      errors: [{ pointer: '/body/expires_at' }],
    });
    expect((later.body as unknown as { detail: string }).detail).toContain(expiresAt);
    const list = await api.call<{ data: Key[] }>('GET', '/v1/api_keys?limit=100', { key: tenant.testKey });
    expect(list.body.data.map((k) => k.name)).not.toContain('outliving');

    // A key that never expires may still create one that does, or one that never does.
    const unbounded = await newKey({ name: 'from a key that never expires' });
    expect(unbounded.body.expires_at, describeResponse(unbounded)).toBeNull();
    const far = await newKey({ name: 'far', expires_at: at(365 * 86_400_000) });
    expect(far.status, describeResponse(far)).toBe(201);
  });

  it('creates keys in the mode of the key that creates them', async () => {
    const live = await newKey({ name: 'live one' }, tenant.liveKey);
    expect(live.body.secret).toMatch(/^sk_live_/);
    expect(live.body.livemode).toBe(true);
  });

  it('will not let a key grant more than it holds', async () => {
    const narrow = await newKey({ name: 'narrow', scopes: ['api_keys:write', 'jobs:read'] });
    const res = await newKey({ name: 'escalate', scopes: ['jobs:write'] }, narrow.body.secret!);
    expect(res.status, describeResponse(res)).toBe(403);
    expect(res.body).toMatchObject({ code: 'insufficient_scope', param: 'scopes' });
    const ok = await newKey({ name: 'subset', scopes: ['jobs:read'] }, narrow.body.secret!);
    expect(ok.status, describeResponse(ok)).toBe(201);
  });

  it('will not let a narrow key revoke a broader one', async () => {
    const narrow = await newKey({ name: 'key admin', scopes: ['api_keys:write'] });
    const full = await newKey({ name: 'full' });
    const res = await api.call('DELETE', `/v1/api_keys/${full.body.id}`, { key: narrow.body.secret! });
    expect(res.status, describeResponse(res)).toBe(403);
    expect((await api.call('GET', '/v1/jobs', { key: full.body.secret! })).status).toBe(200);
  });

  it('says how to authenticate on a bad key', async () => {
    const res = await api.call('GET', '/v1/jobs', { key: 'sk_test_nope' });
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('refuses unknown scopes', async () => {
    const res = await newKey({ name: 'x', scopes: ['jobs:delete'] });
    expect(res.status, describeResponse(res)).toBe(400);
  });
});

describe('a read-only key', () => {
  it('reads everything and gets 403 on every write, key creation included', async () => {
    const readOnly = (await newKey({ name: 'reader', scopes: ['*:read'] })).body.secret!;
    const ids = await createInterview(api, tenant.testKey);
    const writes = specRoutes(loadSpec()).filter(
      (r) => r.operation.security?.some((s) => 'SecretKey' in s) && r.method !== 'get',
    );
    expect(writes.length).toBeGreaterThan(5);
    for (const route of writes) {
      const path = route.path.replace(
        '{id}',
        route.path.includes('interviews')
          ? ids.interviewId
          : route.path.includes('candidates')
            ? ids.candidateId
            : ids.jobId,
      );
      const res = await api.call(route.method.toUpperCase(), path, {
        key: readOnly,
        body: route.method === 'delete' ? undefined : { name: 'x' },
      });
      expect(res.status, `${route.method} ${route.path}: ${describeResponse(res)}`).toBe(403);
    }
    expect((await api.call('GET', `/v1/interviews/${ids.interviewId}`, { key: readOnly })).status).toBe(200);
  });
});
