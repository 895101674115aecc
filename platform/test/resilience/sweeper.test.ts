import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { candidateTurnAt, sql, threeQuestionJob, transcriptOf } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * What time alone decides, recorded by the sweeper (called directly here, on the platform's own ORM, rather
 * than waiting for its timer): lapsed invitations expire, and interviews the candidate walked away from
 * close once the job's max duration and a grace period have passed.
 */

/** The sweeper's grace beyond a job's max duration before an abandoned interview is closed. */
const graceSeconds = 300;
const maxDurationSeconds = 60;
const job = threeQuestionJob({ max_duration_seconds: maxDurationSeconds });

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let databaseUrl: string;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
  databaseUrl = test.databaseUrl!;
});
afterAll(async () => test?.stop());

/** One sweep, as the platform's timer runs it (called directly rather than waiting for the timer). */
const sweep = () => test.platform.services.engine.sweep();

const streams: SseClient[] = [];
function listen(token: string): SseClient {
  const stream = new SseClient(`${test.url}/v1/session/events`, token);
  streams.push(stream);
  return stream;
}
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

interface Row {
  status: string;
  updated_at: Date;
  completed_at: Date | null;
  progress: Record<string, unknown>;
}
const rowOf = async (interviewId: string) =>
  (
    await sql<Row>(
      databaseUrl,
      'select status, updated_at, completed_at, progress from interviews where id = $1',
      [interviewId],
    )
  )[0]!;

/** Opens a session, starts it, and waits until the candidate may answer the first question. */
async function startedInterview() {
  const session = await openSession(api, tenant.testKey, job);
  const started = await api.call('POST', '/v1/session/start', { key: session.token });
  expect(started.status, describeResponse(started)).toBe(200);
  const events = listen(session.token);
  await events.next(candidateTurnAt(0));
  return { ...session, events };
}

/** Moves an interview's start `seconds` into the past. */
const startedAgo = (interviewId: string, seconds: number) =>
  sql(databaseUrl, `update interviews set started_at = now() - make_interval(secs => $2) where id = $1`, [
    interviewId,
    seconds,
  ]);

describe('the interview sweeper', () => {
  it('records a lapsed invitation as expired; its session token is refused before and after', async () => {
    const { interviewId, token } = await openSession(api, tenant.testKey, job);
    const live = await api.call('GET', '/v1/session', { key: token });
    expect(live.status, describeResponse(live)).toBe(200);
    await sql(databaseUrl, `update interviews set expires_at = now() - interval '1 second' where id = $1`, [
      interviewId,
    ]);

    // Time alone decides: the interview reads as expired, and the token dies, before any sweep records it.
    expect((await rowOf(interviewId)).status).toBe('scheduled');
    const early = await api.call('GET', '/v1/session', { key: token });
    expect(early.status, describeResponse(early)).toBe(401);
    expect(early.body).toMatchObject({ code: 'invalid_session_token' });
    const read = await api.call('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey });
    expect(read.body).toMatchObject({ status: 'expired' });

    const swept = await sweep();
    expect(swept.expired.map((i) => i.id)).toContain(interviewId);
    const events = await api.call<{ data: { type: string; sequence: number }[] }>(
      'GET',
      `/v1/events?interview_id=${interviewId}`,
      { key: tenant.testKey },
    );
    expect(events.body.data.map((e) => [e.type, e.sequence])).toEqual([
      ['interview.expired', 2],
      ['interview.scheduled', 1],
    ]);
    const row = await rowOf(interviewId);
    expect(row.status).toBe('expired');

    for (const [method, path] of [
      ['GET', '/v1/session'],
      ['POST', '/v1/session/start'],
      ['GET', '/v1/session/events'],
    ] as const) {
      const res = await api.call(method, path, { key: token });
      expect(res.status, `${method} ${path}: ${describeResponse(res)}`).toBe(401);
    }
    const again = await api.call('POST', `/v1/interviews/${interviewId}/sessions`, {
      key: tenant.testKey,
      body: {},
    });
    expect(again.status, describeResponse(again)).toBe(409);
    const listed = await api.call<{ data: { id: string }[] }>('GET', '/v1/interviews?status=expired', {
      key: tenant.testKey,
    });
    expect(listed.body.data.map((i) => i.id)).toContain(interviewId);

    // Sweeping again changes nothing.
    await sweep();
    expect(await rowOf(interviewId)).toEqual(row);
  });

  it('leaves a scheduled interview whose invitation still runs', async () => {
    const { interviewId, token } = await openSession(api, tenant.testKey, job);
    await sweep();
    expect((await rowOf(interviewId)).status).toBe('scheduled');
    expect((await api.call('GET', '/v1/session', { key: token })).status).toBe(200);
  });

  it('completes an interview abandoned past its max duration plus grace, for time_limit; its token then gets 401', async () => {
    const abandoned = await startedInterview();
    const recent = await startedInterview();
    await startedAgo(abandoned.interviewId, maxDurationSeconds + graceSeconds + 1);
    // Past the job's max duration but within the grace: the candidate may still be answering.
    await startedAgo(recent.interviewId, maxDurationSeconds + graceSeconds - 30);

    const swept = await sweep();
    expect(swept.abandoned.map((i) => i.id)).toContain(abandoned.interviewId);
    expect(swept.abandoned.map((i) => i.id)).not.toContain(recent.interviewId);
    const events = await api.call<{ data: { type: string; data: { object: { status: string } } }[] }>(
      'GET',
      `/v1/events?interview_id=${abandoned.interviewId}&type=interview.completed`,
      { key: tenant.testKey },
    );
    expect(events.body.data).toHaveLength(1);
    expect(events.body.data[0]!.data.object.status).toBe('completed');

    const row = await rowOf(abandoned.interviewId);
    expect(row.status).toBe('completed');
    expect(row.completed_at).not.toBeNull();
    expect(row.progress).toMatchObject({
      phase: 'done',
      awaiting: 'none',
      closingReason: 'time_limit',
      leaseUntil: null,
    });
    const read = await api.call('GET', `/v1/interviews/${abandoned.interviewId}`, { key: tenant.testKey });
    expect(read.body).toMatchObject({ status: 'completed' });
    expect(read.body.completed_at).not.toBeNull();
    // What was said stands.
    const turns = await transcriptOf(api, tenant.testKey, abandoned.interviewId);
    expect(turns.map((t) => `${t.speaker}:${t.kind}`)).toEqual(['interviewer:intro']);

    const session = await api.call('GET', '/v1/session', { key: abandoned.token });
    expect(session.status, describeResponse(session)).toBe(401);
    const answer = await api.call('POST', '/v1/session/answers', {
      key: abandoned.token,
      body: { text: 'Sorry, I stepped away for a moment.' },
    });
    expect(answer.status, describeResponse(answer)).toBe(401);

    expect((await rowOf(recent.interviewId)).status).toBe('in_progress');
    expect((await api.call('GET', '/v1/session', { key: recent.token })).status).toBe(200);
  });

  it('takes up an interviewer turn no instance holds once it has waited a lease, and not before', async () => {
    const { interviewId, events } = await startedInterview();
    // What a turn that failed leaves behind (its lease let go; its `error` event perhaps lost with Redis), or
    // an answer committed on an instance that died before claiming the reply: due since its last turn, and
    // held by no one.
    const orphan = async (secondsAgo: number) => {
      await sql(
        databaseUrl,
        `update interviews set progress = progress || '{"awaiting": "interviewer", "leaseUntil": null}' where id = $1`,
        [interviewId],
      );
      await sql(
        databaseUrl,
        `update interview_turns set created_at = now() - make_interval(secs => $2) where interview_id = $1`,
        [interviewId, secondsAgo],
      );
    };
    const before = events.events.length;
    await orphan(0);
    await sweep();
    expect((await rowOf(interviewId)).progress.leaseUntil, 'just now: maybe about to be claimed').toBeNull();

    await orphan(61);
    // An integrator's edit in the meantime changes the interview, not when its turn fell due.
    const edited = await api.call('PATCH', `/v1/interviews/${interviewId}`, {
      key: tenant.testKey,
      body: { metadata: { reviewer: 'sam' } },
    });
    expect(edited.status, describeResponse(edited)).toBe(200);
    await sweep();
    await events.nextAfter(before, 'interviewer.done');
    expect((await rowOf(interviewId)).progress.awaiting).toBe('candidate');
  });

  it('tells a session still listening that the interview it closed has ended', async () => {
    const { interviewId, events } = await startedInterview();
    await startedAgo(interviewId, maxDurationSeconds + graceSeconds + 1);
    await sweep();
    expect((await rowOf(interviewId)).status).toBe('completed');
    const completed = await events.next((e) => e.event === 'interview.completed', 5_000);
    expect(completed.data).toEqual({ interview_id: interviewId, reason: 'time_limit' });
  });
});
