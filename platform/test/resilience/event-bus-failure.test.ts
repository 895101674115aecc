import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { logCapture, redisUrl, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { within } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * Redis refuses an interview's session events just as its answer is committed. The answer stands (202, in
 * the transcript), and once events flow again the interviewer replies: nothing is lost, and the candidate is
 * not told to send again an answer that has landed.
 */
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let redis: Redis;
const { lines: logs, sink } = logCapture();

beforeAll(async () => {
  // Quick heartbeats, so that a stream notices within seconds an end it was never told of.
  test = await startTestPlatform(
    { LOG_LEVEL: 'warn', VIVA_SESSION_HEARTBEAT_SECONDS: '1' },
    { logDestination: sink },
  );
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  redis?.disconnect();
  await test?.stop();
});

describe('session events that cannot be published', () => {
  it('do not undo an answer: it is committed and acknowledged, and the reply comes once events flow', async () => {
    const session = await openSession(api, tenant.testKey);
    expect((await api.call('POST', '/v1/session/start', { key: session.token })).status).toBe(200);
    const first = new SseClient(`${test.url}/v1/session/events`, session.token);
    await first.next((e) => e.event === 'state' && e.data.turn === 'candidate');
    first.close();

    // The interview's stream becomes a plain string: every XADD to it fails with WRONGTYPE.
    const key = `viva:session:${session.interviewId}`;
    await redis.rename(key, `${key}:aside`);
    await redis.set(key, 'not a stream');
    const answer = await api.call<{ turn_id: string }>('POST', '/v1/session/answers', {
      key: session.token,
      body: { text: 'I would roll back first, then find the cause.' },
    });
    expect(answer.status, describeResponse(answer)).toBe(202);
    const transcript = await api.call<{ turns: { id: string; speaker: string }[] }>(
      'GET',
      `/v1/interviews/${session.interviewId}/transcript`,
      { key: tenant.testKey },
    );
    expect(
      transcript.body.turns.filter((turn) => turn.speaker === 'candidate').map((turn) => turn.id),
    ).toEqual([answer.body.turn_id]);

    // Redis takes events again; the widget reconnects, and the interviewer replies to the answer.
    await redis.del(key);
    await redis.rename(`${key}:aside`, key);
    const again = new SseClient(
      `${test.url}/v1/session/events`,
      session.token,
      first.events.at(-1)?.id ?? undefined,
    );
    try {
      await again.next((e) => e.event === 'interviewer.done');
      await again.next((e) => e.event === 'state' && e.data.turn === 'candidate');
    } finally {
      again.close();
    }
    const after = await api.call<{ turns: { speaker: string }[] }>(
      'GET',
      `/v1/interviews/${session.interviewId}/transcript`,
      { key: tenant.testKey },
    );
    expect(after.body.turns.map((turn) => turn.speaker)).toEqual(['interviewer', 'candidate', 'interviewer']);
  });

  it('do not undo a start or an end: each is answered 200, and a retried end learns the interview ended', async () => {
    const session = await openSession(api, tenant.testKey);
    const key = `viva:session:${session.interviewId}`;
    await redis.set(key, 'not a stream');
    try {
      const started = await api.call('POST', '/v1/session/start', { key: session.token });
      expect(started.status, describeResponse(started)).toBe(200);
      expect(started.body).toMatchObject({ status: 'in_progress' });
      const end = () =>
        api.call('POST', '/v1/session/end', {
          key: session.token,
          idempotencyKey: `end-${session.interviewId}`,
        });
      const first = await end();
      expect(first.status, describeResponse(first)).toBe(200);
      expect(first.body).toMatchObject({ status: 'completed' });
      // The token died with the interview, before any replay is looked up; its 401 says how it ended.
      const retry = await end();
      expect(retry.status, describeResponse(retry)).toBe(401);
      expect(retry.body).toMatchObject({
        interview_status: 'completed',
        completion_reason: 'candidate_ended',
      });
    } finally {
      await redis.del(key);
    }
  });

  it('do not leave a stream open after an end it was never told of: it closes, and the reconnect learns the end', async () => {
    const session = await openSession(api, tenant.testKey);
    expect((await api.call('POST', '/v1/session/start', { key: session.token })).status).toBe(200);
    const stream = new SseClient(`${test.url}/v1/session/events`, session.token);
    try {
      await stream.next((e) => e.event === 'state' && e.data.turn === 'candidate');
      // Only the publishing of the end fails: the stream's reads go on working.
      const key = `viva:session:${session.interviewId}`;
      await redis.rename(key, `${key}:aside`);
      await redis.set(key, 'not a stream');
      const end = await api.call('POST', '/v1/session/end', { key: session.token });
      expect(end.status, describeResponse(end)).toBe(200);
      await redis.del(key);
      await redis.rename(`${key}:aside`, key);

      await within('the stream closes by itself', stream.done);
      expect(stream.events.map((e) => e.event)).not.toContain('interview.completed');
      const reconnect = await api.call('GET', '/v1/session', { key: session.token });
      expect(reconnect.status, describeResponse(reconnect)).toBe(401);
      expect(reconnect.body).toMatchObject({
        interview_status: 'completed',
        completion_reason: 'candidate_ended',
      });
    } finally {
      stream.close();
    }
  });

  it('do not undo a cancellation: it is answered 200, and its retry gets the same answer', async () => {
    const { interviewId } = await createInterview(api, tenant.testKey);
    // The interview's stream becomes a plain string: the `state` the cancellation publishes fails.
    const key = `viva:session:${interviewId}`;
    await redis.set(key, 'not a stream');
    try {
      const cancel = () =>
        api.call('POST', `/v1/interviews/${interviewId}/cancel`, {
          key: tenant.testKey,
          idempotencyKey: `cancel-${interviewId}`,
        });
      const first = await cancel();
      expect(first.status, describeResponse(first)).toBe(200);
      expect(first.body).toMatchObject({ id: interviewId, status: 'canceled' });
      const retry = await cancel();
      expect(retry.status, describeResponse(retry)).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toEqual(first.body);
    } finally {
      await redis.del(key);
    }
    const events = await api.call<{ data: { type: string }[] }>(
      'GET',
      `/v1/events?interview_id=${interviewId}&type=interview.canceled`,
      { key: tenant.testKey },
    );
    expect(events.body.data, describeResponse(events)).toHaveLength(1);
    expect(
      logs.some(
        (line) =>
          line.includes(interviewId) && line.includes('could not tell the session that its interview ended'),
      ),
      logs.join('\n'),
    ).toBe(true);
  });
});
