import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type FakeChatMessage, type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import {
  answerAndHear,
  candidateTurnAt,
  scriptedModel,
  shapeOf,
  sql,
  threeQuestionJob,
  transcriptOf,
} from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * The limits a job and the platform put on an interview: its max duration (any mode) and, in live mode
 * with a model configured, the LLM tokens it may spend.
 */

const tokenBudget = 1000;
/** What the fake model says the introduction cost: over the budget on its own. */
const introUsage = { prompt_tokens: 900, completion_tokens: 150 };
const otherUsage = { prompt_tokens: 10, completion_tokens: 10 };

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let fake: FakeOpenAi;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  const model = scriptedModel((instruction) =>
    instruction.startsWith('Open the interview') ? introUsage : otherUsage,
  );
  fake.setChatScript(model.script);
  test = await startTestPlatform({
    LLM_BASE_URL: fake.baseUrl,
    VIVA_INTERVIEW_TOKEN_BUDGET: String(tokenBudget),
    // Scoring calls would land among the interviewer's on the fake model; scoring is tested apart.
    VIVA_SCORING_WORKER: 'false',
  });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => {
  await test?.stop();
  await fake?.stop();
});

const streams: SseClient[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

async function startedInterview(key: string, job: unknown) {
  const session = await openSession(api, key, job);
  const started = await api.call('POST', '/v1/session/start', { key: session.token });
  expect(started.status, describeResponse(started)).toBe(200);
  const events = new SseClient(`${test.url}/v1/session/events`, session.token);
  streams.push(events);
  await events.next(candidateTurnAt(0));
  return { ...session, events };
}

const progressOf = async (interviewId: string) =>
  (
    await sql<{ status: string; progress: Record<string, unknown>; tokens_used: number }>(
      test.databaseUrl!,
      'select status, progress, tokens_used from interviews where id = $1',
      [interviewId],
    )
  )[0]!;

describe('interview limits', () => {
  it('closes for time_limit when the answer comes after the job’s max_duration_seconds', async () => {
    const { interviewId, token, events } = await startedInterview(
      tenant.testKey,
      threeQuestionJob({ max_duration_seconds: 60 }),
    );
    await sql(
      test.databaseUrl!,
      `update interviews set started_at = now() - interval '61 seconds' where id = $1`,
      [interviewId],
    );

    const closing = await answerAndHear(api, token, events);
    expect(String(closing.data.text)).toMatch(/reached the end of our time/i);
    const completed = await events.next((e) => e.event === 'interview.completed');
    expect(completed.data).toEqual({ interview_id: interviewId, reason: 'time_limit' });
    await events.done;
    const last = events.events.filter((e) => e.event === 'state').at(-1)!;
    expect(last.data).toMatchObject({ status: 'completed', turn: 'none', time_left_seconds: 0 });

    const turns = await transcriptOf(api, tenant.testKey, interviewId);
    expect(shapeOf(turns)).toEqual(['interviewer:intro', 'candidate:answer', 'interviewer:closing']);
    expect(await progressOf(interviewId)).toMatchObject({
      status: 'completed',
      progress: { closingReason: 'time_limit', awaiting: 'none', phase: 'done' },
    });
    const dead = await api.call('GET', '/v1/session', { key: token });
    expect(dead.status, describeResponse(dead)).toBe(401);
  });

  it('carries on while within max_duration_seconds', async () => {
    const { interviewId, token, events } = await startedInterview(
      tenant.testKey,
      threeQuestionJob({ max_duration_seconds: 60 }),
    );
    await sql(
      test.databaseUrl!,
      `update interviews set started_at = now() - interval '50 seconds' where id = $1`,
      [interviewId],
    );
    const reply = await answerAndHear(api, token, events);
    expect(String(reply.data.text)).toContain(threeQuestionJob().questions[1]!.text);
    expect((await progressOf(interviewId)).status).toBe('in_progress');
  });

  it('closes for token_budget in live mode once the interview has spent VIVA_INTERVIEW_TOKEN_BUDGET', async () => {
    const { interviewId, token, events } = await startedInterview(tenant.liveKey, threeQuestionJob());
    const spent = introUsage.prompt_tokens + introUsage.completion_tokens;
    expect((await progressOf(interviewId)).tokens_used).toBe(spent);

    const closing = await answerAndHear(api, token, events);
    expect(String(closing.data.text)).toMatch(/goodbye/i);
    const completed = await events.next((e) => e.event === 'interview.completed');
    expect(completed.data).toEqual({ interview_id: interviewId, reason: 'token_budget' });

    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    expect(shapeOf(turns)).toEqual(['interviewer:intro', 'candidate:answer', 'interviewer:closing']);
    const chats = fake.requests.filter((r) => r.path === '/v1/chat/completions');
    const lastMessages = (chats.at(-1)!.body as { messages: FakeChatMessage[] }).messages;
    expect(lastMessages.at(-1)!.content).toMatch(/^Close the interview/);
    expect(await progressOf(interviewId)).toMatchObject({
      status: 'completed',
      progress: { closingReason: 'token_budget' },
      tokens_used: spent + otherUsage.prompt_tokens + otherUsage.completion_tokens,
    });
  });

  it('ignores the token budget in test mode, which never spends any', async () => {
    const { interviewId, token, events } = await startedInterview(tenant.testKey, threeQuestionJob());
    const reply = await answerAndHear(api, token, events);
    expect(String(reply.data.text)).toContain(threeQuestionJob().questions[1]!.text);
    expect(await progressOf(interviewId)).toMatchObject({ status: 'in_progress', tokens_used: 0 });
  });
});
