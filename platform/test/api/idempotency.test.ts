import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

const candidate = { name: 'Grace Hopper', email: 'grace@example.com' };
const countCandidates = async (email: string) =>
  (
    await api.call<{ data: unknown[] }>(
      'GET',
      `/v1/candidates?email=${encodeURIComponent(email)}&limit=100`,
      { key: tenant.testKey },
    )
  ).body.data.length;

describe('Idempotency-Key', () => {
  it('replays the first response byte for byte, and creates nothing more', async () => {
    const first = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: candidate,
      idempotencyKey: 'replay-1',
    });
    const again = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: candidate,
      idempotencyKey: 'replay-1',
    });
    expect(first.status, describeResponse(first)).toBe(201);
    expect(again.status, describeResponse(again)).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await countCandidates(candidate.email)).toBe(1);
  });

  it('refuses the same key with a different body (422) and writes nothing', async () => {
    await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'A', email: 'a@x.io' },
      idempotencyKey: 'reuse-1',
    });
    const res = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'B', email: 'b@x.io' },
      idempotencyKey: 'reuse-1',
    });
    expect(res.status, describeResponse(res)).toBe(422);
    expect(res.body).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await countCandidates('b@x.io')).toBe(0);
  });

  it('refuses the same key on another endpoint (422)', async () => {
    await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'C' },
      idempotencyKey: 'cross-1',
    });
    const res = await api.call('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'C' },
      idempotencyKey: 'cross-1',
    });
    expect(res.status, describeResponse(res)).toBe(422);
  });

  it('creates exactly one object from 50 parallel requests with one key; the rest are 409 or replays', async () => {
    const body = { name: 'Parallel Person', email: 'parallel@example.com' };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.call<{ id: string }>('POST', '/v1/candidates', {
          key: tenant.testKey,
          body,
          idempotencyKey: 'parallel-1',
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(','),
    ).toBe(true);
    const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    for (const conflict of responses.filter((r) => r.status === 409)) {
      expect(conflict.body).toMatchObject({ code: 'idempotency_key_in_use' });
    }
    expect(await countCandidates(body.email)).toBe(1);
  });

  it('replays a client error too, but not a validation failure (nothing ran)', async () => {
    const bad = { job_id: 'job_00000000000000000000000000', candidate_id: 'cand_00000000000000000000000000' };
    const first = await api.call('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: bad,
      idempotencyKey: 'err-1',
    });
    const again = await api.call('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: bad,
      idempotencyKey: 'err-1',
    });
    expect(first.status, describeResponse(first)).toBe(400);
    expect(again.text).toBe(first.text);
    const invalid = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: {},
      idempotencyKey: 'val-1',
    });
    expect(invalid.status).toBe(400);
    const fixed = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Fixed' },
      idempotencyKey: 'val-1',
    });
    expect(fixed.status, describeResponse(fixed)).toBe(201);
  });

  it('keeps keys apart per tenant and per mode', async () => {
    const other = await createTestTenant(api, 'Other');
    const a = await api.call<{ id: string }>('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Same' },
      idempotencyKey: 'shared',
    });
    const b = await api.call<{ id: string }>('POST', '/v1/candidates', {
      key: other.testKey,
      body: { name: 'Same' },
      idempotencyKey: 'shared',
    });
    const c = await api.call<{ id: string }>('POST', '/v1/candidates', {
      key: tenant.liveKey,
      body: { name: 'Same' },
      idempotencyKey: 'shared',
    });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(3);
  });

  it('refuses a key longer than 255 characters', async () => {
    const res = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'L' },
      idempotencyKey: 'k'.repeat(256),
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'Idempotency-Key' });
  });
});
