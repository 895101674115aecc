import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

type List = { object: string; data: { id: string }[]; has_more: boolean };

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let created: string[];

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
  created = [];
  for (let i = 0; i < 6; i += 1) {
    const res = await api.call<{ id: string }>('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: `C${i}` },
    });
    created.push(res.body.id);
  }
});
afterAll(async () => test?.stop());

const list = (query: string) => api.call<List>('GET', `/v1/candidates${query}`, { key: tenant.testKey });

describe('cursor pagination', () => {
  it('is an empty list for a tenant with nothing', async () => {
    const empty = await createTestTenant(api, 'Empty');
    const res = await api.call<List>('GET', '/v1/jobs', { key: empty.testKey });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toEqual({ object: 'list', data: [], has_more: false });
  });

  it('pages newest first and says when there is more', async () => {
    const first = await list('?limit=4');
    expect(first.body.data.map((c) => c.id)).toEqual(created.slice(2).reverse());
    expect(first.body.has_more).toBe(true);
    const second = await list(`?limit=4&starting_after=${first.body.data.at(-1)!.id}`);
    expect(second.body.data.map((c) => c.id)).toEqual(created.slice(0, 2).reverse());
    expect(second.body.has_more).toBe(false);
  });

  it('says has_more false on an exact last page', async () => {
    const res = await list('?limit=6');
    expect(res.body.data).toHaveLength(6);
    expect(res.body.has_more).toBe(false);
  });

  it('pages on from a cursor whose object was deleted', async () => {
    const cursor = created[3]!;
    await api.call('DELETE', `/v1/candidates/${cursor}`, { key: tenant.testKey });
    const res = await list(`?starting_after=${cursor}`);
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.data.map((c) => c.id)).toEqual(created.slice(0, 3).reverse());
  });

  it.each([['limit=0'], ['limit=101'], ['limit=abc'], ['starting_after=nope'], ['colour=blue']])(
    'refuses %s with a 400 naming the parameter',
    async (query) => {
      const res = await list(`?${query}`);
      expect(res.status, describeResponse(res)).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_request' });
      expect(JSON.stringify(res.body)).toContain(`/query/${query.split('=')[0]}`);
    },
  );
});
