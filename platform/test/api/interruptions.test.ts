import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { transcriptOf } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/** Barge-in: the widget reports that the candidate spoke over the interviewer, and the transcript says so. */
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

async function startedInterview() {
  const { interviewId, token } = await openSession(api, tenant.testKey);
  await api.call('POST', '/v1/session/start', { key: token });
  const events = new SseClient(`${test.url}/v1/session/events`, token);
  const intro = await events.next((e) => e.event === 'interviewer.done');
  return { interviewId, token, events, introTurnId: String(intro.data.turn_id) };
}

const report = (token: string, body: unknown) =>
  api.call('POST', '/v1/session/interruptions', { key: token, body });

describe('interruptions', () => {
  it('records how much of a turn the candidate heard, and keeps the first report', async () => {
    const { interviewId, token, events, introTurnId } = await startedInterview();
    const first = await report(token, { turn_id: introTurnId, heard_ms: 2350 });
    expect(first.status, describeResponse(first)).toBe(202);
    expect(first.body).toEqual({
      object: 'interruption',
      interview_id: interviewId,
      turn_id: introTurnId,
      interrupted_at_ms: 2350,
    });
    const again = await report(token, { turn_id: introTurnId, heard_ms: 4000 });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ interrupted_at_ms: 2350 });

    const turns = await transcriptOf(api, tenant.testKey, interviewId);
    expect(
      turns.map((t) => (t as unknown as { interrupted_at_ms: number | null }).interrupted_at_ms),
    ).toEqual([2350]);
    events.close();
  });

  it("refuses the candidate's own turns, unknown turns and bad bodies, changing nothing", async () => {
    const { interviewId, token, events } = await startedInterview();
    const answered = await api.call<{ turn_id: string }>('POST', '/v1/session/answers', {
      key: token,
      body: { text: 'I built a design system with accessible components and visual regression tests.' },
    });
    expect(answered.status, describeResponse(answered)).toBe(202);
    for (const turnId of [answered.body.turn_id, 'turn_00000000000000000000000000']) {
      const res = await report(token, { turn_id: turnId, heard_ms: 100 });
      expect(res.status, describeResponse(res)).toBe(404);
      expect(res.body).toMatchObject({ code: 'resource_missing', param: 'turn_id' });
    }
    for (const body of [
      { turn_id: answered.body.turn_id },
      { turn_id: 'x', heard_ms: -1 },
      { heard_ms: 5 },
    ]) {
      const res = await report(token, body);
      expect(res.status, `${JSON.stringify(body)}: ${describeResponse(res)}`).toBe(400);
    }
    const turns = await transcriptOf(api, tenant.testKey, interviewId);
    expect(
      turns.every((t) => (t as unknown as { interrupted_at_ms: unknown }).interrupted_at_ms === null),
    ).toBe(true);
    events.close();
  });

  it('refuses a report before the interview starts', async () => {
    const { token } = await openSession(api, tenant.testKey);
    const res = await report(token, { turn_id: 'turn_00000000000000000000000000', heard_ms: 1 });
    expect(res.status, describeResponse(res)).toBe(409);
    expect(res.body).toMatchObject({ code: 'invalid_state' });
  });
});
