import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemDetails } from '../../src/http/problem-middleware.ts';
import { requestContext } from '../../src/http/request-id.ts';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createCandidate, createJob, jobInput } from '../support/fixtures.ts';
import { adminKey, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * Input the schema alone lets through but PostgreSQL or `Date` cannot hold: a NUL character in text, a
 * leap second. Each is a 400 that points at the value, and nothing is written.
 */
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

type Problem = {
  code: string;
  status: number;
  detail: string;
  errors?: { pointer: string; detail: string }[];
};

function expectInvalid(res: ApiResponse<unknown>, pointers: string[]): void {
  expect(res.status, describeResponse(res)).toBe(400);
  const problem = res.body as Problem;
  expect(problem.code, describeResponse(res)).toBe('invalid_request');
  expect(problem.errors?.map((e) => e.pointer).sort(), describeResponse(res)).toEqual([...pointers].sort());
}

const countOf = async (path: string) =>
  (await api.call<{ data: unknown[] }>('GET', `${path}?limit=100`, { key: tenant.testKey })).body.data.length;

describe('a NUL character (U+0000) in a string', () => {
  const bodies: [string, unknown, string[]][] = [
    ['a title', { ...jobInput, title: 'a\u0000b' }, ['/body/title']],
    [
      'a question',
      { ...jobInput, questions: [{ text: 'Q' }, { text: '\u0000' }] },
      ['/body/questions/1/text'],
    ],
    ['a metadata value', { ...jobInput, metadata: { team: 'pay\u0000ments' } }, ['/body/metadata/team']],
    ['a metadata key', { ...jobInput, metadata: { 'a\u0000b': 'x' } }, ['/body/metadata/a\u0000b']],
    [
      'two places at once',
      { ...jobInput, title: '\u0000', description: 'x\u0000' },
      ['/body/title', '/body/description'],
    ],
  ];

  it.each(bodies)('in %s of a job is refused, pointing at it', async (_name, body, pointers) => {
    const before = await countOf('/v1/jobs');
    const res = await api.call('POST', '/v1/jobs', { key: tenant.testKey, body });
    expectInvalid(res, pointers);
    expect((res.body as Problem).errors?.[0]?.detail).toContain('U+0000');
    expect(await countOf('/v1/jobs')).toBe(before);
  });

  it('is refused in a candidate, an update and a tenant alike', async () => {
    const candidate = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Ada\u0000', email: 'ada@example.com' },
    });
    expectInvalid(candidate, ['/body/name']);

    const jobId = await createJob(api, tenant.testKey);
    const update = await api.call('PATCH', `/v1/jobs/${jobId}`, {
      key: tenant.testKey,
      body: { metadata: { level: 'staff\u0000' } },
    });
    expectInvalid(update, ['/body/metadata/level']);
    const job = await api.call<{ metadata: Record<string, string> }>('GET', `/v1/jobs/${jobId}`, {
      key: tenant.testKey,
    });
    expect(job.body.metadata).toEqual({});

    const created = await api.call('POST', '/admin/v1/tenants', {
      key: adminKey,
      body: { name: 'Acme\u0000' },
    });
    expectInvalid(created, ['/body/name']);
  });

  it('is refused in a query parameter', async () => {
    const res = await api.call('GET', '/v1/jobs?external_id=%00', { key: tenant.testKey });
    expectInvalid(res, ['/query/external_id']);
    const candidates = await api.call('GET', '/v1/candidates?email=a%00@example.com', {
      key: tenant.testKey,
    });
    expect(candidates.status, describeResponse(candidates)).toBe(400);
    expect((candidates.body as Problem).errors?.map((e) => e.pointer)).toContain('/query/email');
  });

  it('leaves other control characters alone', async () => {
    const res = await api.call<{ title: string }>('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, title: 'tab\there\u0001' },
    });
    expect(res.status, describeResponse(res)).toBe(201);
    expect(res.body.title).toBe('tab\there\u0001');
  });
});

/**
 * A lone UTF-16 surrogate (U+D800 to U+DFFF without its pair) is a JSON escape (`"\ud800"`) but no
 * character: PostgreSQL's json refuses it, and text stores it as U+FFFD, so what was echoed is not what was
 * kept. It is refused wherever the NUL character is.
 */
describe('a lone UTF-16 surrogate in a string', () => {
  const surrogateDetail = (res: ApiResponse<unknown>) => (res.body as Problem).errors?.[0]?.detail ?? '';

  const candidates: [string, unknown, string[]][] = [
    ['a metadata value', { name: 'x', metadata: { k: 'a\ud800b' } }, ['/body/metadata/k']],
    ['a metadata key', { name: 'x', metadata: { 'a\udc00': 'v' } }, ['/body/metadata/a\udc00']],
    ['the name', { name: 'a\ud800b' }, ['/body/name']],
    ['a pair turned round', { name: '\ude00\ud83d' }, ['/body/name']],
  ];

  it.each(candidates)('in %s of a candidate is refused, pointing at it', async (_name, body, pointers) => {
    const before = await countOf('/v1/candidates');
    const res = await api.call('POST', '/v1/candidates', { key: tenant.testKey, body });
    expectInvalid(res, pointers);
    expect(surrogateDetail(res), describeResponse(res)).toContain('surrogate');
    expect(await countOf('/v1/candidates')).toBe(before);
  });

  it('in the text of a question is refused', async () => {
    const before = await countOf('/v1/jobs');
    const res = await api.call('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, questions: [{ text: 'Q' }, { text: 'Why \udbff?' }] },
    });
    expectInvalid(res, ['/body/questions/1/text']);
    expect(await countOf('/v1/jobs')).toBe(before);
  });

  it('in a text answer is refused, and the turn stays the candidate’s', async () => {
    const { token } = await openSession(api, tenant.testKey);
    const started = await api.call('POST', '/v1/session/start', { key: token });
    expect(started.status, describeResponse(started)).toBe(200);
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    try {
      await events.next((e) => e.event === 'state' && e.data.turn === 'candidate');
      const res = await api.call('POST', '/v1/session/answers', {
        key: token,
        body: { text: 'I led the \ud800 migration.' },
      });
      expectInvalid(res, ['/body/text']);
      const answered = await api.call('POST', '/v1/session/answers', {
        key: token,
        body: { text: 'I led the migration.' },
      });
      expect(answered.status, describeResponse(answered)).toBe(202);
    } finally {
      events.close();
    }
  });

  it('leaves whole characters outside the Basic Multilingual Plane alone', async () => {
    const res = await api.call<{ name: string; metadata: Record<string, string> }>('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Ada \ud83d\ude00', metadata: { '\ud834\udd1e': '\u{1f600}' } },
    });
    expect(res.status, describeResponse(res)).toBe(201);
    expect(res.body.name).toBe('Ada 😀');
    expect(res.body.metadata).toEqual({ '𝄞': '😀' });
  });
});

describe('a date-time that is no instant', () => {
  // RFC 3339 allows a leap second, and so does the format check, but `Date` has no such instant; an offset
  // without minutes passes the check too, and `Date` cannot read it either.
  const impossible = ['2030-06-30T23:59:60Z', '2030-06-30T10:00:00+01'];

  it.each(impossible)('is refused as an interview expiry: %s', async (expiresAt) => {
    const jobId = await createJob(api, tenant.testKey);
    const candidateId = await createCandidate(api, tenant.testKey);
    const before = await countOf('/v1/interviews');
    const res = await api.call('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: { job_id: jobId, candidate_id: candidateId, expires_at: expiresAt },
    });
    expectInvalid(res, ['/body/expires_at']);
    expect(await countOf('/v1/interviews')).toBe(before);
  });

  it.each(impossible)('is refused as an API key expiry: %s', async (expiresAt) => {
    const before = await countOf('/v1/api_keys');
    const res = await api.call('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'leap', expires_at: expiresAt },
    });
    expectInvalid(res, ['/body/expires_at']);
    expect(await countOf('/v1/api_keys')).toBe(before);
  });

  it.each(impossible)('is refused as an events filter: %s', async (createdGte) => {
    const query = new URLSearchParams({ created_gte: createdGte, created_lt: createdGte });
    const res = await api.call('GET', `/v1/events?${query}`, { key: tenant.testKey });
    expectInvalid(res, ['/query/created_gte', '/query/created_lt']);
  });

  it('still takes the last millisecond before one', async () => {
    const res = await api.call(
      'GET',
      `/v1/events?created_gte=${encodeURIComponent('2030-06-30T23:59:59.999Z')}`,
      {
        key: tenant.testKey,
      },
    );
    expect(res.status, describeResponse(res)).toBe(200);
  });
});

describe('where an error points', () => {
  it('names a metadata key that is too long, at the key, once', async () => {
    const long = 'k'.repeat(41);
    const res = await api.call('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, metadata: { team: 'payments', [long]: 'v' } },
    });
    expectInvalid(res, [`/body/metadata/${long}`]);
    const problem = res.body as Problem & { param?: string };
    expect(problem.param, describeResponse(res)).toBe(`metadata.${long}`);
    expect(problem.detail, describeResponse(res)).toContain(`"${long}"`);
    expect(problem.errors?.[0]?.detail, describeResponse(res)).toContain(`"${long}"`);
    expect(res.text).not.toContain('property name must be valid');
  });

  it('names a metadata key that is empty, on an update too', async () => {
    const jobId = await createJob(api, tenant.testKey);
    const res = await api.call('PATCH', `/v1/jobs/${jobId}`, {
      key: tenant.testKey,
      body: { metadata: { '': 'v' } },
    });
    expectInvalid(res, ['/body/metadata/']);
    expect(res.text).not.toContain('property name must be valid');
  });

  it('gives a rubric key used twice as a dotted param, the same place its pointer names', async () => {
    const dimension = { key: 'depth', name: 'Depth', weight: 1 };
    const res = await api.call('POST', '/v1/jobs', {
      key: tenant.testKey,
      body: { ...jobInput, rubric: { dimensions: [dimension, { ...dimension, name: 'Again' }] } },
    });
    expectInvalid(res, ['/body/rubric/dimensions/1/key']);
    expect(res.body, describeResponse(res)).toMatchObject({ param: 'rubric.dimensions.1.key' });
  });

  it('points at a date-time before year 1, which the database cannot hold', async () => {
    for (const instant of ['0000-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00']) {
      const res = await api.call('GET', `/v1/events?created_gte=${encodeURIComponent(instant)}`, {
        key: tenant.testKey,
      });
      expectInvalid(res, ['/query/created_gte']);
      expect(res.body, describeResponse(res)).toMatchObject({ param: 'created_gte' });
    }
    const earliest = await api.call('GET', '/v1/events?created_gte=0001-01-01T00:00:00Z', {
      key: tenant.testKey,
    });
    expect(earliest.status, describeResponse(earliest)).toBe(200);
  });
});

describe('a media type the operation does not take', () => {
  const upload = async (contentType: string, body: string) => {
    const candidateId = await createCandidate(api, tenant.testKey);
    return api.call('PUT', `/v1/candidates/${candidateId}/resume`, {
      key: tenant.testKey,
      rawBody: body,
      headers: { 'content-type': contentType },
    });
  };

  // A résumé is never JSON: whatever the bytes, the answer is the résumé's 415, naming what was sent.
  it.each([
    ['a JSON object', '{"resume": "base64…"}'],
    ['text that is not JSON', 'my résumé'],
    ['nothing', ''],
    ['more than the JSON limit', 'x'.repeat(1_048_577)],
  ])('gets 415 for a résumé sent as application/json holding %s', async (_name, body) => {
    const res = await upload('application/json', body);
    expect(res.status, describeResponse(res)).toBe(415);
    expect(res.body, describeResponse(res)).toMatchObject({ code: 'unsupported_media_type' });
    expect((res.body as Problem).detail).toContain('got "application/json"');
  });
});

describe('metadata merged by a PATCH', () => {
  const keys = (prefix: string, count: number, value: string | null) =>
    Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}${index}`, value]));

  it('is limited to 50 keys after the merge, not in the request', async () => {
    const jobId = await createJob(api, tenant.testKey, { ...jobInput, metadata: keys('old', 40, 'v') });
    const res = await api.call<{ metadata: Record<string, string> }>('PATCH', `/v1/jobs/${jobId}`, {
      key: tenant.testKey,
      body: { metadata: { ...keys('old', 40, null), ...keys('new', 20, 'v') } },
    });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.metadata).toEqual(keys('new', 20, 'v'));

    const over = await api.call('PATCH', `/v1/jobs/${jobId}`, {
      key: tenant.testKey,
      body: { metadata: keys('more', 31, 'v') },
    });
    expect(over.status, describeResponse(over)).toBe(400);
    expect(over.body).toMatchObject({ code: 'invalid_request', param: 'metadata' });
  });
});

/**
 * The safety net behind the validator: should a value PostgreSQL cannot hold reach it anyway, the client is
 * told its input was at fault, and nothing of the SQL or the database's message is shown.
 */
describe('a value the database refuses', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const services = test.platform.services;
    const app = new Koa();
    app.use(requestContext(services.logger, services.metrics));
    app.use(problemDetails());
    app.use(async (ctx) => {
      const { sql, value } = JSON.parse(String(ctx.query.q)) as { sql: string; value: string };
      await services.db.orm.em.fork().getConnection().execute(sql, [value]);
      ctx.body = { stored: true };
    });
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  const refused: [string, string, string][] = [
    ['NUL in text (22021)', "select convert_from(decode(?, 'hex'), 'UTF8') as v", '610062'],
    // The ORM writes a value into the statement's text, which a NUL cuts short: PostgreSQL calls that a
    // malformed message (08P01), and the request, not the database, is at fault.
    ['NUL in a statement (08P01)', 'select ?::text as v', 'a\u0000b'],
    ['NUL in jsonb (22P05)', 'select ?::jsonb as v', '{"a": "\\u0000"}'],
    ['a malformed timestamp (22007)', 'select ?::timestamptz as v', 'the day after tomorrow'],
    ['a timestamp out of range (22008)', 'select ?::timestamptz as v', '2030-01-01T25:00:00Z'],
  ];

  it.each(refused)('answers %s with 400 invalid_request', async (_name, sql, value) => {
    const res = await fetch(`${url}/?q=${encodeURIComponent(JSON.stringify({ sql, value }))}`);
    const text = await res.text();
    expect(res.status, text).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(text)).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(text.toLowerCase()).not.toMatch(/select|::|jsonb|timestamptz|sql|encoding|syntax|out of range/);
  });
});
