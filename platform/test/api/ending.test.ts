import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateBlobPrefix } from '../../src/candidates/candidates.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { logCapture, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import {
  candidateTurnAt,
  postAnswer,
  type ScriptedModel,
  scriptedModel,
  within,
} from '../support/interview-flow.ts';

/** Polls `read` until it gives something truthy, and returns that. */
async function until<T>(
  what: string,
  read: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * The candidate ends a live interview while the interviewer is in the middle of a spoken reply: the
 * interview completes once, and the reply that will never be heard leaves nothing behind.
 */
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let fake: FakeOpenAi;
let model: ScriptedModel;
const { lines: logs, sink } = logCapture();

beforeAll(async () => {
  fake = await startFakeOpenAi();
  model = scriptedModel();
  fake.setChatScript(model.script);
  test = await startTestPlatform(
    {
      LLM_BASE_URL: fake.baseUrl,
      TTS_BASE_URL: fake.baseUrl,
      // Scoring calls would reach the scripted interviewer model; scoring is tested apart.
      VIVA_SCORING_WORKER: 'false',
      LOG_LEVEL: 'warn',
    },
    { logDestination: sink },
  );
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => {
  await test?.stop();
  await fake?.stop();
});

/** Every event the interview's stream holds, as the bus replays them. */
async function busEvents(interviewId: string): Promise<string[]> {
  const controller = new AbortController();
  const seen: string[] = [];
  setTimeout(() => controller.abort(), 300);
  for await (const { event } of test.platform.services.bus.subscribe(interviewId, null, controller.signal)) {
    seen.push(event.type);
  }
  return seen;
}

describe('ending while the interviewer speaks', () => {
  it('completes the interview once, and deletes the audio of the reply it cut short', async () => {
    const { interviewId, token } = await openSession(api, tenant.liveKey);
    expect((await api.call('POST', '/v1/session/start', { key: token })).status).toBe(200);
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    try {
      await events.next(candidateTurnAt(0));
    } finally {
      events.close();
    }
    // The reply to the answer is held at the model until the candidate has ended the interview, twice.
    const reply = model.holdNextReply();
    await postAnswer(api, token);
    await within('the reply to reach the model', reply.reached);
    const ends = await Promise.all([
      api.call('POST', '/v1/session/end', { key: token }),
      api.call('POST', '/v1/session/end', { key: token }),
    ]);
    // One ends it. The other either finds it ended (200) or, authenticated only after that commit, finds its
    // token dead with the interview, and is told how it ended: both are the same end, reported once.
    expect(ends.map((end) => end.status)).toContain(200);
    for (const end of ends) {
      if (end.status === 200) expect(end.body, describeResponse(end)).toMatchObject({ status: 'completed' });
      else {
        expect(end.status, describeResponse(end)).toBe(401);
        expect(end.body).toMatchObject({
          interview_status: 'completed',
          completion_reason: 'candidate_ended',
        });
      }
    }
    const speechBefore = fake.requests.filter((r) => r.path.endsWith('/audio/speech')).length;
    reply.release();
    const dropped = await until('the reply is dropped', async () =>
      logs.find((line) => line.includes('interviewer turn dropped') && line.includes(interviewId)),
    );
    expect(fake.requests.filter((r) => r.path.endsWith('/audio/speech')).length).toBeGreaterThan(
      speechBefore,
    );

    const interview = await api.call<{ candidate_id: string }>('GET', `/v1/interviews/${interviewId}`, {
      key: tenant.liveKey,
    });
    const prefix = `${candidateBlobPrefix({ tenantId: tenant.id, livemode: true }, interview.body.candidate_id)}interviews/${interviewId}/`;
    const droppedTurn = (JSON.parse(dropped) as { turn_id: string }).turn_id;
    await until(
      'its audio is deleted',
      async () => (await test.platform.services.blobs.get(`${prefix}${droppedTurn}.mp3`)) === null,
    );
    // The turns that were written keep theirs.
    const transcript = await api.call<{ turns: { id: string }[] }>(
      'GET',
      `/v1/interviews/${interviewId}/transcript`,
      { key: tenant.liveKey },
    );
    expect(
      await test.platform.services.blobs.get(`${prefix}${transcript.body.turns[0]!.id}.mp3`),
    ).not.toBeNull();
    expect((await busEvents(interviewId)).filter((type) => type === 'interview.completed')).toHaveLength(1);
  });
});
