import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createCandidate, createInterview, createJob } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { openSession } from '../support/sessions.ts';

type Interview = {
  id: string;
  status: string;
  created_at: string;
  updated_at: string;
  expires_at: string;
  external_id: string | null;
  metadata: Record<string, string>;
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

const patch = (id: string, body: unknown, key = tenant.testKey) =>
  api.call<Interview>('PATCH', `/v1/interviews/${id}`, { key, body });
const read = (id: string) => api.call<Interview>('GET', `/v1/interviews/${id}`, { key: tenant.testKey });
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
/** A time `seconds` ahead, on a whole second, as a session token's `start_by` claim holds it. */
const onWholeSecond = (seconds: number) =>
  new Date(Math.ceil(Date.now() / 1000) * 1000 + seconds * 1000).toISOString();
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function scheduled(body: Record<string, unknown> = {}): Promise<Interview> {
  const jobId = await createJob(api, tenant.testKey);
  const candidateId = await createCandidate(api, tenant.testKey);
  const res = await api.call<Interview>('POST', '/v1/interviews', {
    key: tenant.testKey,
    body: {
      job_id: jobId,
      candidate_id: candidateId,
      external_id: 'app-1',
      metadata: { stage: 'screen' },
      ...body,
    },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

describe('PATCH /v1/interviews/{id}', () => {
  it('changes only what it names, merges metadata, moves expires_at, and moves updated_at', async () => {
    const created = await scheduled();
    const expiresAt = inSeconds(3 * 86_400);
    const res = await patch(created.id, {
      expires_at: expiresAt,
      external_id: null,
      metadata: { stage: null, round: 'final' },
    });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      status: 'scheduled',
      expires_at: expiresAt,
      external_id: null,
      metadata: { round: 'final' },
      created_at: created.created_at,
    });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expect((await read(created.id)).body).toEqual(res.body);
    // No event: the design has none for an update; the interview's own events are unchanged.
    const events = await api.call<{ data: { type: string }[] }>(
      'GET',
      `/v1/events?interview_id=${created.id}`,
      {
        key: tenant.testKey,
      },
    );
    expect(events.body.data.map((e) => e.type)).toEqual(['interview.scheduled']);
  });

  const invalid: [string, unknown, string][] = [
    ['an unknown field', { status: 'completed' }, '/body/status'],
    ['an expires_at that is not a date-time', { expires_at: 'tomorrow' }, '/body/expires_at'],
    ['a non-string metadata value', { metadata: { a: 1 } }, '/body/metadata/a'],
  ];

  it.each(invalid)('refuses %s (400 invalid_request) and changes nothing', async (_name, body, pointer) => {
    const created = await scheduled();
    const res = await patch(created.id, body);
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request' });
    const errors = (res.body as unknown as { errors: { pointer: string }[] }).errors;
    expect(
      errors.map((e) => e.pointer),
      describeResponse(res),
    ).toContain(pointer);
    expect((await read(created.id)).body).toEqual(created);
  });

  it('refuses an empty PATCH', async () => {
    const created = await scheduled();
    const res = await patch(created.id, {});
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request' });
  });

  it('refuses an expires_at in the past or more than 90 days ahead (400, param expires_at)', async () => {
    const created = await scheduled();
    for (const expires_at of [inSeconds(-1), inSeconds(91 * 86_400)]) {
      const res = await patch(created.id, { expires_at, metadata: { stage: 'changed' } });
      expect(res.status, describeResponse(res)).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_request', param: 'expires_at' });
    }
    expect((await read(created.id)).body).toEqual(created);
  });

  it('moves expires_at only while the interview is scheduled (409 invalid_state), and metadata always', async () => {
    // Started.
    const { interviewId, token } = await openSession(api, tenant.testKey);
    const started = await api.call('POST', '/v1/session/start', { key: token });
    expect(started.status, describeResponse(started)).toBe(200);
    // Canceled.
    const { interviewId: canceledId } = await createInterview(api, tenant.testKey);
    await api.call('POST', `/v1/interviews/${canceledId}/cancel`, { key: tenant.testKey });
    // Lapsed, and not yet swept: it reads as expired, and cannot be reopened.
    const { interviewId: lapsedId } = await createInterview(api, tenant.testKey);
    await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute("update interviews set expires_at = now() - interval '1 minute' where id = ?", [lapsedId]);

    for (const [id, status] of [
      [interviewId, 'in_progress'],
      [canceledId, 'canceled'],
      [lapsedId, 'expired'],
    ] as const) {
      const before = await read(id);
      expect(before.body.status).toBe(status);
      const refused = await patch(id, { expires_at: inSeconds(86_400), metadata: { note: 'x' } });
      expect(refused.status, describeResponse(refused)).toBe(409);
      expect(refused.body).toMatchObject({ code: 'invalid_state', param: 'expires_at' });
      expect((await read(id)).body).toEqual(before.body);

      const tagged = await patch(id, { metadata: { note: 'kept' }, external_id: 'app-9' });
      expect(tagged.status, describeResponse(tagged)).toBe(200);
      expect(tagged.body).toMatchObject({ status, metadata: { note: 'kept' }, external_id: 'app-9' });
      expect(tagged.body.expires_at).toBe(before.body.expires_at);
    }
  });

  it("answers 404 for another tenant's interview and for the other mode's, and changes nothing", async () => {
    const created = await scheduled();
    const other = await createTestTenant(api, 'Other');
    for (const key of [other.testKey, tenant.liveKey]) {
      const res = await patch(created.id, { metadata: { owner: 'mallory' } }, key);
      expect(res.status, describeResponse(res)).toBe(404);
      expect(res.body).toMatchObject({ code: 'resource_missing' });
    }
    const { interviewId: liveId } = await createInterview(api, tenant.liveKey);
    const crossMode = await patch(liveId, { metadata: { owner: 'mallory' } });
    expect(crossMode.status, describeResponse(crossMode)).toBe(404);
    expect((await read(created.id)).body).toEqual(created);
  });

  it('refuses a read-only key (403)', async () => {
    const created = await scheduled();
    const key = await api.call<{ secret: string }>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'read only', scopes: ['*:read'] },
    });
    expect(key.status, describeResponse(key)).toBe(201);
    const res = await patch(created.id, { metadata: { a: 'b' } }, key.body.secret);
    expect(res.status, describeResponse(res)).toBe(403);
    expect(res.body).toMatchObject({ code: 'insufficient_scope' });
  });

  it('keeps every metadata key of concurrent PATCHes', async () => {
    const created = await scheduled();
    const keys = Array.from({ length: 10 }, (_, i) => `key_${i}`);
    const results = await Promise.all(keys.map((key) => patch(created.id, { metadata: { [key]: 'set' } })));
    for (const res of results) expect(res.status, describeResponse(res)).toBe(200);
    const after = await read(created.id);
    expect(Object.keys(after.body.metadata).sort(), describeResponse(after)).toEqual(
      ['stage', ...keys].sort(),
    );
  });
});

describe('a moved expires_at, for session tokens and the sweep', () => {
  it('a later expires_at does not extend a token whose start_by came from the old one; a new token gets the new one', async () => {
    const expiresAt = onWholeSecond(3);
    const created = await scheduled({ expires_at: expiresAt });
    const first = await api.call<{ token: string; start_by: string }>(
      'POST',
      `/v1/interviews/${created.id}/sessions`,
      { key: tenant.testKey, body: { ttl_seconds: 3600 } },
    );
    expect(first.status, describeResponse(first)).toBe(201);
    expect(first.body.start_by).toBe(expiresAt);

    const later = inSeconds(86_400);
    const moved = await patch(created.id, { expires_at: later });
    expect(moved.status, describeResponse(moved)).toBe(200);
    await wait(Date.parse(expiresAt) - Date.now() + 100);

    // The interview is still scheduled, but the first token's time to start, as its response said, is over.
    expect((await read(created.id)).body).toMatchObject({ status: 'scheduled', expires_at: later });
    const old = await api.call('GET', '/v1/session', { key: first.body.token });
    expect(old.status, describeResponse(old)).toBe(401);
    expect(old.body).toMatchObject({ code: 'invalid_session_token' });
    const second = await api.call<{ token: string; start_by: string }>(
      'POST',
      `/v1/interviews/${created.id}/sessions`,
      { key: tenant.testKey, body: { ttl_seconds: 3600 } },
    );
    expect(second.status, describeResponse(second)).toBe(201);
    expect(Date.parse(second.body.start_by)).toBeGreaterThan(Date.now() + 3500 * 1000);
    const fresh = await api.call('GET', '/v1/session', { key: second.body.token });
    expect(fresh.status, describeResponse(fresh)).toBe(200);
  });

  it('an earlier expires_at ends the invitation then: tokens stop, and the sweep records it at that moment', async () => {
    const created = await scheduled();
    const session = await api.call<{ token: string; start_by: string }>(
      'POST',
      `/v1/interviews/${created.id}/sessions`,
      { key: tenant.testKey, body: { ttl_seconds: 3600 } },
    );
    expect(session.status, describeResponse(session)).toBe(201);
    const sooner = onWholeSecond(2);
    const moved = await patch(created.id, { expires_at: sooner });
    expect(moved.status, describeResponse(moved)).toBe(200);
    expect((await api.call('GET', '/v1/session', { key: session.body.token })).status).toBe(200);

    // Not swept while the invitation still runs.
    const early = await test.platform.services.engine.sweep();
    expect(early.expired.map((i) => i.id)).not.toContain(created.id);
    await wait(Date.parse(sooner) - Date.now() + 100);

    const refused = await api.call('GET', '/v1/session', { key: session.body.token });
    expect(refused.status, describeResponse(refused)).toBe(401);
    expect(refused.body).toMatchObject({ code: 'invalid_session_token', interview_status: 'expired' });
    const lapsed = await read(created.id);
    expect(lapsed.body).toMatchObject({ status: 'expired', expires_at: sooner, updated_at: sooner });

    const swept = await test.platform.services.engine.sweep();
    expect(swept.expired.map((i) => i.id)).toContain(created.id);
    expect((await read(created.id)).body).toEqual(lapsed.body);
    const events = await api.call<{ data: { type: string; data: { object: Interview } }[] }>(
      'GET',
      `/v1/events?interview_id=${created.id}`,
      { key: tenant.testKey },
    );
    expect(
      events.body.data.map((e) => e.type),
      describeResponse(events),
    ).toEqual(['interview.expired', 'interview.scheduled']);
    expect(events.body.data[0]!.data.object).toEqual(lapsed.body);
  });
});
