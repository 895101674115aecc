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

type Job = {
  id: string;
  object: string;
  title: string;
  questions: { id: string; text: string }[];
  settings: Record<string, unknown>;
  metadata: Record<string, string>;
  livemode: boolean;
  rubric: { dimensions: unknown[] };
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

describe('jobs', () => {
  it('creates a job with defaults filled in, and reads it back', async () => {
    const res = await api.call<Job>('POST', '/v1/jobs', { key: tenant.testKey, body: jobInput });
    expect(res.status, describeResponse(res)).toBe(201);
    expect(res.body).toMatchObject({
      object: 'job',
      livemode: false,
      title: jobInput.title,
      language: 'en',
      settings: { max_duration_seconds: 1800, max_follow_ups: 2, interviewer_name: 'Viva', voice: 'alloy' },
      external_id: null,
      metadata: {},
    });
    expect(res.body.id).toMatch(/^job_[0-9a-z]{26}$/);
    expect(res.body.questions.map((q) => q.id)).toEqual([
      expect.stringMatching(/^qst_/),
      expect.stringMatching(/^qst_/),
    ]);
    const read = await api.call<Job>('GET', `/v1/jobs/${res.body.id}`, { key: tenant.testKey });
    expect(read.status, describeResponse(read)).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('updates only what a PATCH names, merging settings and metadata', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, metadata: { team: 'payments', level: 'senior' } },
    });
    const res = await api.call<Job>('PATCH', `/v1/jobs/${created.body.id}`, {
      key: tenant.testKey,
      body: {
        title: 'Staff Engineer',
        settings: { max_follow_ups: 1 },
        metadata: { level: null, office: 'remote' },
      },
    });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.title).toBe('Staff Engineer');
    expect(res.body.settings).toMatchObject({ max_follow_ups: 1, max_duration_seconds: 1800 });
    expect(res.body.metadata).toEqual({ team: 'payments', office: 'remote' });
    expect(res.body.questions).toEqual(created.body.questions);
  });

  it('deletes a job: gone from reads and lists, a second delete is 404', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', { key: tenant.testKey, body: jobInput });
    const res = await api.call('DELETE', `/v1/jobs/${created.body.id}`, { key: tenant.testKey });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toEqual({ id: created.body.id, object: 'job', deleted: true });
    expect((await api.call('GET', `/v1/jobs/${created.body.id}`, { key: tenant.testKey })).status).toBe(404);
    expect((await api.call('DELETE', `/v1/jobs/${created.body.id}`, { key: tenant.testKey })).status).toBe(
      404,
    );
  });

  it('keeps every change of concurrent PATCHes: each adds its own metadata key', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', { key: tenant.testKey, body: jobInput });
    const keys = Array.from({ length: 10 }, (_, i) => `key_${i}`);
    const results = await Promise.all(
      keys.map((key) =>
        api.call<Job>('PATCH', `/v1/jobs/${created.body.id}`, {
          key: tenant.testKey,
          body: { metadata: { [key]: 'set' } },
        }),
      ),
    );
    for (const res of results) expect(res.status, describeResponse(res)).toBe(200);
    const read = await api.call<Job>('GET', `/v1/jobs/${created.body.id}`, { key: tenant.testKey });
    expect(Object.keys(read.body.metadata).sort(), describeResponse(read)).toEqual(keys.sort());
  });

  it('merges concurrent settings PATCHes without losing a field', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', { key: tenant.testKey, body: jobInput });
    const updates = [
      { max_follow_ups: 0 },
      { interviewer_name: 'Ada' },
      { voice: 'verse' },
      { max_duration_seconds: 600 },
    ];
    const results = await Promise.all(
      updates.map((settings) =>
        api.call('PATCH', `/v1/jobs/${created.body.id}`, { key: tenant.testKey, body: { settings } }),
      ),
    );
    for (const res of results) expect(res.status, describeResponse(res)).toBe(200);
    const read = await api.call<Job>('GET', `/v1/jobs/${created.body.id}`, { key: tenant.testKey });
    expect(read.body.settings, describeResponse(read)).toEqual(Object.assign({}, ...updates));
  });

  it('deletes a job once when two DELETEs race: one 200, one 404', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', { key: tenant.testKey, body: jobInput });
    const results = await Promise.all(
      [1, 2].map(() => api.call('DELETE', `/v1/jobs/${created.body.id}`, { key: tenant.testKey })),
    );
    expect(results.map((r) => r.status).sort(), results.map(describeResponse).join('\n')).toEqual([200, 404]);
    expect(results.find((r) => r.status === 404)?.body).toMatchObject({ code: 'resource_missing' });
  });

  it('filters by external_id', async () => {
    await api.call('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, external_id: 'gh-job-77' },
    });
    const res = await api.call<{ data: Job[] }>('GET', '/v1/jobs?external_id=gh-job-77', {
      key: tenant.testKey,
    });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ external_id: 'gh-job-77' });
  });
});

describe('jobs: bad input is a clear 4xx and writes nothing', () => {
  const invalid: [string, unknown, string][] = [
    ['no title', { questions: [{ text: 'Q' }] }, '/body/title'],
    ['empty title', { ...jobInput, title: '' }, '/body/title'],
    ['no questions', { title: 'T', questions: [] }, '/body/questions'],
    ['a question without text', { title: 'T', questions: [{}] }, '/body/questions/0/text'],
    ['an unknown field', { ...jobInput, salary: 100 }, '/body/salary'],
    [
      'a zero weight',
      { ...jobInput, rubric: { dimensions: [{ key: 'a', name: 'A', weight: 0 }] } },
      '/body/rubric/dimensions/0/weight',
    ],
    [
      'a bad dimension key',
      { ...jobInput, rubric: { dimensions: [{ key: 'Bad Key', name: 'A', weight: 1 }] } },
      '/body/rubric/dimensions/0/key',
    ],
    [
      'a too-short max duration',
      { ...jobInput, settings: { max_duration_seconds: 5 } },
      '/body/settings/max_duration_seconds',
    ],
    ['a non-string metadata value', { ...jobInput, metadata: { a: 1 } }, '/body/metadata/a'],
    ['a title of the wrong type', { ...jobInput, title: 42 }, '/body/title'],
  ];

  it.each(invalid)('refuses %s (400 invalid_request pointing at the field)', async (_name, body, pointer) => {
    const before = await api.call<{ data: unknown[] }>('GET', '/v1/jobs?limit=100', { key: tenant.testKey });
    const res = await api.call('POST', '/v1/jobs', { key: tenant.testKey, body });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', status: 400 });
    expect((res.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toContain(pointer);
    const after = await api.call<{ data: unknown[] }>('GET', '/v1/jobs?limit=100', { key: tenant.testKey });
    expect(after.body.data.length).toBe(before.body.data.length);
  });

  it('refuses duplicate rubric keys', async () => {
    const dims = [
      { key: 'a', name: 'A', weight: 1 },
      { key: 'a', name: 'Again', weight: 1 },
    ];
    const res = await api.call('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, rubric: { dimensions: dims } },
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'rubric.dimensions.1.key' });
  });

  it('refuses malformed JSON with invalid_json', async () => {
    const res = await api.call('POST', '/v1/jobs', { key: tenant.testKey, body: '{"title": "x",' });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_json' });
  });

  it('refuses a JSON body that is not an object', async () => {
    const res = await api.call('POST', '/v1/jobs', { key: tenant.testKey, body: '[1,2]' });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request' });
  });

  it('refuses a body that is not JSON (415)', async () => {
    const res = await api.call('POST', '/v1/jobs', {
      key: tenant.testKey,
      rawBody: 'title=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, describeResponse(res)).toBe(415);
    expect(res.body).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('refuses an oversize body (413) before reading it', async () => {
    const res = await api.call('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, description: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(res.status, describeResponse(res)).toBe(413);
    expect(res.body).toMatchObject({ code: 'payload_too_large' });
  });

  it('refuses an empty PATCH', async () => {
    const created = await api.call<Job>('POST', '/v1/jobs', { key: tenant.testKey, body: jobInput });
    const res = await api.call('PATCH', `/v1/jobs/${created.body.id}`, { key: tenant.testKey, body: {} });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request' });
  });

  it('answers 404 for a malformed id', async () => {
    const res = await api.call('GET', '/v1/jobs/not-an-id', { key: tenant.testKey });
    expect(res.status, describeResponse(res)).toBe(404);
    expect(res.body).toMatchObject({ code: 'resource_missing' });
  });
});
