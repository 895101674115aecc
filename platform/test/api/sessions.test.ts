import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../../src/sessions/session-token.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createCandidate, createJob, jobInput } from '../support/fixtures.ts';
import { adminKey, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { until } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

/** A session token's claims, read without verifying it (the platform verified it when it minted it). */
function claimsOf(token: string): { start_by: number; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

const longAnswer =
  'At my last company I designed the payments ledger: double-entry accounts in Postgres, idempotent writes keyed by request, and a nightly reconciliation job that caught drift early.';

describe('the recording notice', () => {
  it("is in the job's language, and in English for a language without a translation", async () => {
    const noticeFor = async (language: string) => {
      const { token } = await openSession(api, tenant.testKey, { ...jobInput, language });
      const session = await api.call<{ consent_text: string }>('GET', '/v1/session', { key: token });
      expect(session.status, describeResponse(session)).toBe(200);
      return session.body.consent_text;
    };
    expect(await noticeFor('es')).toMatch(/^Esta entrevista la realiza un entrevistador de IA\./);
    expect(await noticeFor('pt-BR')).toMatch(/^Esta entrevista é conduzida por um entrevistador de IA\./);
    expect(await noticeFor('de')).toMatch(/^Dieses Interview führt ein KI-Interviewer\./);
    expect(await noticeFor('fr-CA')).toMatch(/^Cet entretien est mené par un recruteur IA\./);
    expect(await noticeFor('ja')).toMatch(/^This interview is conducted by an AI interviewer\./);
  });
});

describe('a whole interview by text, on the offline interviewer', () => {
  it('introduces itself, asks every question, follows up a thin answer, closes, and keeps the transcript', async () => {
    const { interviewId, token, joinUrl } = await openSession(api, tenant.testKey);
    expect(joinUrl).toMatch(/\/join#token=/);
    const session = await api.call('GET', '/v1/session', { key: token });
    expect(session.status, describeResponse(session)).toBe(200);
    expect(session.body).toMatchObject({
      object: 'session',
      interview_id: interviewId,
      status: 'scheduled',
      job: { title: jobInput.title },
      question_count: 2,
      answer_modes: ['text'],
      transports: ['http'],
    });
    expect(JSON.stringify(session.body)).not.toContain('system_design');
    expect(session.body.consent_text).toMatch(/^This interview is conducted by an AI interviewer\./);

    const started = await api.call('POST', '/v1/session/start', { key: token });
    expect(started.status, describeResponse(started)).toBe(200);
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    const intro = await events.next((e) => e.event === 'interviewer.done');
    expect(String(intro.data.text)).toContain(jobInput.questions[0]!.text);
    await events.next((e) => e.event === 'state' && e.data.turn === 'candidate');

    const answer = async (text: string) => {
      const before = events.events.length;
      const res = await api.call('POST', '/v1/session/answers', { key: token, body: { text } });
      expect(res.status, describeResponse(res)).toBe(202);
      return events.nextAfter(before, 'interviewer.done');
    };
    const followUp = await answer('I did some stuff.');
    expect(String(followUp.data.text)).toMatch(/tell me more/i);
    const second = await answer(longAnswer);
    expect(String(second.data.text)).toContain(jobInput.questions[1]!.text);
    await answer(longAnswer);
    const completed = await events.next((e) => e.event === 'interview.completed');
    expect(completed.data).toEqual({ interview_id: interviewId, reason: 'questions_done' });
    await events.done;

    const ids = events.events.map((e) => e.id);
    expect(ids.every((id) => id !== null)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);

    const transcript = await api.call<{
      turns: { speaker: string; kind: string; text: string; question_index: number | null }[];
    }>('GET', `/v1/interviews/${interviewId}/transcript`, { key: tenant.testKey });
    expect(transcript.status, describeResponse(transcript)).toBe(200);
    expect(transcript.body.turns.map((t) => `${t.speaker}:${t.kind}`)).toEqual([
      'interviewer:intro',
      'candidate:answer',
      'interviewer:follow_up',
      'candidate:answer',
      'interviewer:question',
      'candidate:answer',
      'interviewer:closing',
    ]);
    expect(transcript.body.turns[1]).toMatchObject({ text: 'I did some stuff.', question_index: 0 });
    expect(transcript.body.turns[5]).toMatchObject({ question_index: 1 });

    const interview = await api.call('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey });
    expect(interview.body).toMatchObject({ status: 'completed' });
    const dead = await api.call('GET', '/v1/session', { key: token });
    expect(dead.status, describeResponse(dead)).toBe(401);
    // A widget that missed the end (offline) learns from the refusal that it was completed, and why.
    expect(dead.body).toMatchObject({
      code: 'invalid_session_token',
      interview_status: 'completed',
      completion_reason: 'questions_done',
    });
  });

  it('resumes on a second start, mid-interview or mid-intro, and never begins the interview again', async () => {
    const { interviewId, token } = await openSession(api, tenant.testKey);
    const [first, racing] = await Promise.all([
      api.call('POST', '/v1/session/start', { key: token }),
      api.call('POST', '/v1/session/start', { key: token }),
    ]);
    expect([first.status, racing.status], describeResponse(racing)).toEqual([200, 200]);
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    await events.next((e) => e.event === 'state' && e.data.turn === 'candidate');
    const before = events.events.length;
    const answered = await api.call('POST', '/v1/session/answers', {
      key: token,
      body: { text: longAnswer },
    });
    expect(answered.status, describeResponse(answered)).toBe(202);
    await events.nextAfter(before, 'interviewer.done');
    const startedAt = (await api.call('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey })).body
      .started_at;

    const again = await api.call('POST', '/v1/session/start', { key: token });
    expect(again.status, describeResponse(again)).toBe(200);
    expect(again.body).toMatchObject({ status: 'in_progress' });
    const state = await events.next(
      (e) => e.event === 'state' && e.data.turn === 'candidate' && e.data.question_index === 1,
    );
    expect(state.data).toMatchObject({ status: 'in_progress', question_index: 1 });
    const interview = await api.call('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey });
    expect(interview.body).toMatchObject({ status: 'in_progress', started_at: startedAt });
    const transcript = await api.call<{ turns: { kind: string }[] }>(
      'GET',
      `/v1/interviews/${interviewId}/transcript`,
      { key: tenant.testKey },
    );
    expect(transcript.body.turns.map((t) => t.kind)).toEqual(['intro', 'answer', 'question']);
    events.close();
  });

  it('replays missed events after Last-Event-ID, none twice', async () => {
    const { token } = await openSession(api, tenant.testKey);
    await api.call('POST', '/v1/session/start', { key: token });
    const first = new SseClient(`${test.url}/v1/session/events`, token);
    await first.next((e) => e.event === 'interviewer.done');
    const cut = first.events[1]!;
    first.close();
    const again = new SseClient(`${test.url}/v1/session/events`, token, cut.id!);
    await again.next((e) => e.event === 'interviewer.done');
    const replayed = again.events.map((e) => e.id);
    expect(replayed).not.toContain(cut.id);
    expect(replayed.filter((id) => first.events.slice(0, 2).some((e) => e.id === id))).toEqual([]);
    again.close();
  });

  it('refuses answers out of turn, after the end, and in bad shapes', async () => {
    const { token } = await openSession(api, tenant.testKey);
    const early = await api.call('POST', '/v1/session/answers', { key: token, body: { text: 'hello?' } });
    expect(early.status, describeResponse(early)).toBe(409);
    await api.call('POST', '/v1/session/start', { key: token });
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    await events.next((e) => e.event === 'state' && e.data.turn === 'candidate');
    const empty = await api.call('POST', '/v1/session/answers', { key: token, body: { text: '' } });
    expect(empty.status, describeResponse(empty)).toBe(400);
    const unknown = await api.call('POST', '/v1/session/answers', {
      key: token,
      body: { text: 'x', extra: 1 },
    });
    expect(unknown.status, describeResponse(unknown)).toBe(400);
    const audio = await api.call('POST', '/v1/session/answers', {
      key: token,
      rawBody: new Uint8Array(Buffer.from('RIFF....WAVEfmt ')),
      headers: { 'content-type': 'audio/wav' },
    });
    expect(audio.status, describeResponse(audio)).toBe(400);
    const ended = await api.call('POST', '/v1/session/end', { key: token });
    expect(ended.status, describeResponse(ended)).toBe(200);
    expect(ended.body).toMatchObject({ status: 'completed' });
    const late = await api.call('POST', '/v1/session/answers', {
      key: token,
      body: { text: 'one more thing' },
    });
    expect(late.status, describeResponse(late)).toBe(401);
    events.close();
  });
});

describe('session tokens at the API', () => {
  it('open only the session endpoints, for their own interview', async () => {
    const { token } = await openSession(api, tenant.testKey);
    const onApi = await api.call('GET', '/v1/jobs', { key: token });
    expect(onApi.status, describeResponse(onApi)).toBe(401);
    const secretOnSession = await api.call('GET', '/v1/session', { key: tenant.testKey });
    expect(secretOnSession.status, describeResponse(secretOnSession)).toBe(401);
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect((await api.call('GET', '/v1/session', { key: tampered })).status).toBe(401);
    expect((await api.call('GET', '/v1/session')).status).toBe(401);
  });

  it('last through the interview and the grace after its time is up, for a candidate who starts last minute', async () => {
    const jobId = await createJob(api, tenant.testKey, {
      ...jobInput,
      settings: { max_duration_seconds: 600 },
    });
    const candidateId = await createCandidate(api, tenant.testKey);
    const interview = await api.call<{ id: string }>('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: { job_id: jobId, candidate_id: candidateId },
    });
    const minted = Date.now();
    const session = await api.call<{ expires_at: string }>(
      'POST',
      `/v1/interviews/${interview.body.id}/sessions`,
      {
        key: tenant.testKey,
        body: { ttl_seconds: 60 },
      },
    );
    expect(session.status, describeResponse(session)).toBe(201);
    // 60 s to start, 600 s of interview, then 300 s in which a last answer is taken and the interviewer closes.
    const lifetime = (Date.parse(session.body.expires_at) - minted) / 1000;
    expect(lifetime).toBeGreaterThan(60 + 600 + 300 - 5);
    expect(lifetime).toBeLessThan(60 + 600 + 300 + 5);
  });

  it('say when the time to start ends (start_by), apart from when they stop once started (expires_at)', async () => {
    const { interviewId } = await openSession(api, tenant.testKey);
    const minted = Date.now();
    const session = await api.call<{ token: string; start_by: string; expires_at: string }>(
      'POST',
      `/v1/interviews/${interviewId}/sessions`,
      { key: tenant.testKey, body: { ttl_seconds: 60 } },
    );
    expect(session.status, describeResponse(session)).toBe(201);
    const toStart = (Date.parse(session.body.start_by) - minted) / 1000;
    expect(toStart, describeResponse(session)).toBeGreaterThan(60 - 2);
    expect(toStart, describeResponse(session)).toBeLessThanOrEqual(60);
    // Exactly what the token enforces: its start_by and exp claims.
    const claims = claimsOf(session.body.token);
    expect(new Date(claims.start_by * 1000).toISOString()).toBe(session.body.start_by);
    expect(new Date(claims.exp * 1000).toISOString()).toBe(session.body.expires_at);
    expect(Date.parse(session.body.expires_at)).toBeGreaterThan(Date.parse(session.body.start_by));
  });

  it('stop opening an unstarted interview at start_by, which the interview’s expiry brings forward', async () => {
    const jobId = await createJob(api, tenant.testKey);
    const candidateId = await createCandidate(api, tenant.testKey);
    const expiresAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000).toISOString();
    const interview = await api.call<{ id: string }>('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: { job_id: jobId, candidate_id: candidateId, expires_at: expiresAt },
    });
    expect(interview.status, describeResponse(interview)).toBe(201);
    const session = await api.call<{ token: string; start_by: string }>(
      'POST',
      `/v1/interviews/${interview.body.id}/sessions`,
      { key: tenant.testKey, body: { ttl_seconds: 3600 } },
    );
    expect(session.status, describeResponse(session)).toBe(201);
    expect(session.body.start_by).toBe(expiresAt);
    expect(new Date(claimsOf(session.body.token).start_by * 1000).toISOString()).toBe(expiresAt);
    const before = await api.call('GET', '/v1/session', { key: session.body.token });
    expect(before.status, describeResponse(before)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
    const after = await api.call('GET', '/v1/session', { key: session.body.token });
    expect(after.status, describeResponse(after)).toBe(401);
    expect(after.body).toMatchObject({ code: 'invalid_session_token' });
  });

  it('check the page origin against the allowed origins', async () => {
    const { token } = await openSession(api, tenant.testKey, undefined, {
      allowed_origins: ['https://careers.acme.com'],
    });
    const allowed = await api.call('GET', '/v1/session', {
      key: token,
      headers: { origin: 'https://careers.acme.com' },
    });
    expect(allowed.status, describeResponse(allowed)).toBe(200);
    const other = await api.call('GET', '/v1/session', {
      key: token,
      headers: { origin: 'https://evil.example' },
    });
    expect(other.status, describeResponse(other)).toBe(403);
    expect(other.body).toMatchObject({ code: 'origin_not_allowed' });
  });

  it("fall back to the tenant's allowed origins, as they stand when the token is minted", async () => {
    const careers = 'https://careers.globex.example';
    const created = await api.call<{ tenant: { id: string }; api_keys: { test: string } }>(
      'POST',
      '/admin/v1/tenants',
      { key: adminKey, body: { name: 'Globex', allowed_origins: [careers] } },
    );
    expect(created.status, describeResponse(created)).toBe(201);
    const key = created.body.api_keys.test;
    const session = (token: string, origin: string) =>
      api.call('GET', '/v1/session', { key: token, headers: { origin } });

    const { token } = await openSession(api, key);
    expect((await session(token, careers)).status).toBe(200);
    const refused = await session(token, 'https://evil.example');
    expect(refused.status, describeResponse(refused)).toBe(403);
    expect(refused.body).toMatchObject({ code: 'origin_not_allowed' });

    const jobs = 'https://jobs.globex.example';
    const updated = await api.call('PATCH', `/admin/v1/tenants/${created.body.tenant.id}`, {
      key: adminKey,
      body: { allowed_origins: [jobs] },
    });
    expect(updated.status, describeResponse(updated)).toBe(200);
    const { token: later } = await openSession(api, key);
    expect((await session(later, jobs)).status).toBe(200);
    expect((await session(later, careers)).status).toBe(403);
    // A token carries the list it was minted with, so a live interview isn't cut off mid-way.
    expect((await session(token, careers)).status).toBe(200);
  });

  it("let the platform's own join page in, whatever origins the tenant allows", async () => {
    const { token } = await openSession(api, tenant.testKey, undefined, {
      allowed_origins: ['https://careers.acme.com'],
    });
    const res = await api.call('GET', '/v1/session', {
      key: token,
      headers: { origin: new URL(test.url).origin },
    });
    expect(res.status, describeResponse(res)).toBe(200);
  });

  it('must be used to start before their start_by time', async () => {
    const { interviewId } = await openSession(api, tenant.testKey);
    const { services } = test.platform;
    const row = await services.db.orm.em
      .fork()
      .getConnection()
      .execute('select tenant_id from interviews where id = ?', [interviewId]);
    const { token } = await mintSessionToken(
      services.signingKeys,
      {
        interviewId,
        tenantId: (row[0] as { tenant_id: string }).tenant_id,
        livemode: false,
        allowedOrigins: [],
        ttlSeconds: 3600,
        startBy: new Date(Date.now() - 1000),
      },
      services.issuer,
    );
    const res = await api.call('POST', '/v1/session/start', { key: token });
    expect(res.status, describeResponse(res)).toBe(401);
    expect(res.body).toMatchObject({ code: 'invalid_session_token' });
  });

  it('publishes the keys that verify them', async () => {
    await openSession(api, tenant.testKey);
    const jwks = await api.call<{ keys: { kid: string; alg: string; crv: string }[] }>(
      'GET',
      '/.well-known/jwks.json',
    );
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ alg: 'EdDSA', crv: 'Ed25519' });
  });

  it('tells a connected candidate that the interview was canceled, and ends the stream', async () => {
    const { interviewId, token } = await openSession(api, tenant.testKey);
    await api.call('POST', '/v1/session/start', { key: token });
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    await events.next((e) => e.event === 'state' && e.data.turn === 'candidate');
    const canceled = await api.call('POST', `/v1/interviews/${interviewId}/cancel`, { key: tenant.testKey });
    expect(canceled.status, describeResponse(canceled)).toBe(200);
    const last = await events.next((e) => e.event === 'state' && e.data.status === 'canceled');
    expect(last.data).toMatchObject({ status: 'canceled', turn: 'none' });
    await events.done;
    expect(events.events.at(-1)).toBe(last);

    const reconnect = await api.call('GET', '/v1/session/events', { key: token });
    expect(reconnect.status, describeResponse(reconnect)).toBe(401);
    expect(reconnect.body).toMatchObject({ code: 'invalid_session_token', interview_status: 'canceled' });
    expect(reconnect.body).not.toHaveProperty('completion_reason');
  });

  it('cannot be minted for an interview that is over', async () => {
    const { interviewId } = await openSession(api, tenant.testKey);
    await api.call('POST', `/v1/interviews/${interviewId}/cancel`, { key: tenant.testKey });
    const res = await api.call('POST', `/v1/interviews/${interviewId}/sessions`, {
      key: tenant.testKey,
      body: {},
    });
    expect(res.status, describeResponse(res)).toBe(409);
  });
});

describe('event streams', () => {
  /** Opens a stream and reads only its response head: the body of one that opened is left to `close`. */
  async function openStream(token: string): Promise<{ response: Response; close(): void }> {
    const aborted = new AbortController();
    const response = await fetch(`${test.url}/v1/session/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: aborted.signal,
    });
    return { response, close: () => aborted.abort() };
  }

  it('are never stored by a cache on the way: they carry the whole conversation', async () => {
    const { token } = await openSession(api, tenant.testKey);
    const stream = await openStream(token);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('cache-control')).toBe('no-store, no-transform');
    stream.close();
  });

  it('are at most 5 per interview: a sixth is refused with 429 until one closes, and other interviews are not', async () => {
    const { token } = await openSession(api, tenant.testKey);
    const open = [1, 2, 3, 4, 5].map(() => new SseClient(`${test.url}/v1/session/events`, token));
    await Promise.all(open.map((stream) => stream.next((e) => e.event === 'state')));

    const sixth = await openStream(token);
    const refusal = { status: sixth.response.status, text: await sixth.response.text() };
    expect(refusal.status, refusal.text).toBe(429);
    expect(sixth.response.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(sixth.response.headers.get('retry-after')), refusal.text).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refusal.text)).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(JSON.parse(refusal.text).detail).toContain('already has 5 event streams open');

    // Another interview's token is not counted with this one's.
    const other = await openSession(api, tenant.testKey);
    const elsewhere = await openStream(other.token);
    expect(elsewhere.response.status).toBe(200);
    elsewhere.close();

    // A closed page's stream gives its place back (once the server has seen the connection close).
    open[0]!.close();
    let reopened: Awaited<ReturnType<typeof openStream>> | null = null;
    await until('a place frees up for a new stream', async () => {
      const attempt = await openStream(token);
      if (attempt.response.status === 200) reopened = attempt;
      else await attempt.response.text();
      return reopened !== null;
    });
    reopened!.close();
    for (const stream of open) stream.close();
  });
});
