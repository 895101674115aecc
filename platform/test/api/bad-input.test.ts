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
