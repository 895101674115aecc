import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { jobInput } from '../support/fixtures.ts';
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

type Job = { id: string; metadata: Record<string, string> };

/** Metadata keys named like JavaScript's own object machinery are ordinary keys, on create and update alike. */
describe('metadata keys that name object internals', () => {
  // Written as JSON text: in an object literal `__proto__` would set the prototype, not a key.
  const internals = '{"__proto__": "p", "constructor": "c", "hasOwnProperty": "h"}';
  const expected = JSON.parse(`{"team": "payments", ${internals.slice(1)}`) as Record<string, string>;

  it('are kept by a create and by an update, and read back the same', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: JSON.stringify({ ...jobInput, metadata: expected }),
    });
    expect(created.status, describeResponse(created)).toBe(201);
    expect(created.body.metadata).toEqual(expected);

    const plain = await api.call<Job>('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, metadata: { team: 'payments' } },
    });
    const updated = await api.call<Job>('PATCH', `/v1/jobs/${plain.body.id}`, {
      key: tenant.testKey,
      body: `{"metadata": ${internals}}`,
    });
    expect(updated.status, describeResponse(updated)).toBe(200);
    expect(updated.body.metadata).toEqual(expected);
    const read = await api.call<Job>('GET', `/v1/jobs/${plain.body.id}`, { key: tenant.testKey });
    expect(read.body.metadata, describeResponse(read)).toEqual(expected);
  });

  it('are removed by null like any other key', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: `{"title": "T", "questions": [{"text": "Q"}], "metadata": ${internals}}`,
    });
    expect(created.status, describeResponse(created)).toBe(201);
    const updated = await api.call<Job>('PATCH', `/v1/jobs/${created.body.id}`, {
      key: tenant.testKey,
      body: '{"metadata": {"__proto__": null, "constructor": null}}',
    });
    expect(updated.status, describeResponse(updated)).toBe(200);
    expect(updated.body.metadata).toEqual({ hasOwnProperty: 'h' });
  });
});
