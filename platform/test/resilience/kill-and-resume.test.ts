import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareIds } from '../../src/sessions/event-ids.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type ChildPlatform, freePort, startChildPlatform } from '../support/child-platform.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { adminKey, createTestDatabase, redisUrl, type TestDatabase } from '../support/harness.ts';
import {
  answerAndHear,
  candidateTurnAt,
  expectInOrderOnce,
  leaseLapsed,
  postAnswer,
  type ScriptedModel,
  scriptedModel,
  shapeOf,
  sql,
  threeQuestionJob,
  transcriptOf,
  until,
  within,
} from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * The platform as a real process (`node src/main.ts`), SIGKILLed in the middle of an interview and started
 * again on the same database, Redis and port: the candidate's widget reconnects with the same token and
 * `Last-Event-ID`, and the interview carries on from its last committed step.
 *
 * Live-mode interviews talk to a fake model in this process, which survives the kill and can hold a reply
 * back, so a crash can be placed exactly while the interviewer's turn is being generated.
 */

/**
 * VIVA_INTERVIEWER_LEASE_SECONDS for the children: how long a dead instance's turn blocks a takeover. Longer
 * than a restart takes, so the widget's reconnect comes while the dead instance still holds the turn.
 */
const leaseSeconds = 6;
const job = threeQuestionJob();
const question = (index: number) => job.questions[index]!.text;
const completeTranscript = [
  'interviewer:intro',
  'candidate:answer',
  'interviewer:question',
  'candidate:answer',
  'interviewer:question',
  'candidate:answer',
  'interviewer:closing',
];

let database: TestDatabase;
let port: number;
let dataDir: string;
let fake: FakeOpenAi;
let model: ScriptedModel;
let child: ChildPlatform | null = null;
let url: string;
let api: ApiClient;
let tenant: TestTenant;

async function boot(env: Record<string, string> = {}): Promise<void> {
  child = await startChildPlatform({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    PORT: String(port),
    VIVA_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'silent',
    VIVA_DATA_DIR: dataDir,
    VIVA_RATE_LIMIT_PER_KEY: '10000',
    VIVA_RATE_LIMIT_PER_TENANT: '10000',
    LLM_BASE_URL: fake.baseUrl,
    VIVA_INTERVIEWER_LEASE_SECONDS: String(leaseSeconds),
    // Scoring calls would reach the scripted interviewer model; scoring is tested apart.
    VIVA_SCORING_WORKER: 'false',
    ...env,
  });
}

async function kill(): Promise<void> {
  await child?.kill();
  child = null;
}

beforeAll(async () => {
  database = await createTestDatabase();
  port = await freePort();
  dataDir = await mkdtemp(join(tmpdir(), 'viva-resilience-'));
  fake = await startFakeOpenAi();
  model = scriptedModel();
  fake.setChatScript(model.script);
  await boot();
  url = `http://127.0.0.1:${port}`;
  api = apiClient(url);
  tenant = await createTestTenant(api);
});

afterAll(async () => {
  await kill();
  await fake?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function startInterview(key: string) {
  if (!child) await boot(); // a test that failed while the platform was down left it down
  const session = await openSession(api, key, job);
  const started = await api.call('POST', '/v1/session/start', { key: session.token });
  expect(started.status, describeResponse(started)).toBe(200);
  const events = new SseClient(`${url}/v1/session/events`, session.token);
  await events.next(candidateTurnAt(0));
  return { ...session, events };
}

/** Answers the remaining questions from `index` on and waits for the interview to complete. */
async function finish(token: string, events: SseClient, index: number): Promise<void> {
  for (let at = index; at < job.questions.length; at++) {
    const reply = await answerAndHear(api, token, events);
    if (at + 1 < job.questions.length) {
      expect(String(reply.data.text)).toContain(question(at + 1));
      await events.next(candidateTurnAt(at + 1));
    }
  }
  const completed = await events.next((e) => e.event === 'interview.completed');
  expect(completed.data).toMatchObject({ reason: 'questions_done' });
  await events.done;
}

async function expectWholeConversation(key: string, interviewId: string, token: string): Promise<void> {
  const turns = await transcriptOf(api, key, interviewId);
  expect(shapeOf(turns)).toEqual(completeTranscript);
  expect(new Set(turns.map((t) => t.id)).size).toBe(turns.length);
  expect(turns.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.question_index)).toEqual([0, 1, 2]);
  for (const { text } of job.questions) {
    const asked = turns.filter((t) => t.speaker === 'interviewer' && t.text.includes(text));
    expect(asked.length, `${text} in ${JSON.stringify(turns)}`).toBe(1);
  }
  const interview = await api.call('GET', `/v1/interviews/${interviewId}`, { key });
  expect(interview.body).toMatchObject({ status: 'completed' });
  const dead = await api.call('GET', '/v1/session', { key: token });
  expect(dead.status, describeResponse(dead)).toBe(401);
}

describe('a platform process killed mid-interview and started again', () => {
  it('resumes at the same question after a kill between turns, every committed turn once, to the end with the same token', async () => {
    const { interviewId, token, events: first } = await startInterview(tenant.testKey);
    const reply = await answerAndHear(api, token, first);
    expect(String(reply.data.text)).toContain(question(1));
    await first.next(candidateTurnAt(1));
    const committed = await transcriptOf(api, tenant.testKey, interviewId);
    expect(shapeOf(committed)).toEqual(completeTranscript.slice(0, 3));
    const lastId = first.events.at(-1)!.id!;

    await kill();
    await first.done;
    await boot();

    const second = new SseClient(`${url}/v1/session/events`, token, lastId);
    const state = await second.next((e) => e.event === 'state');
    expect(state.data).toMatchObject({ status: 'in_progress', question_index: 1, turn: 'candidate' });
    expect(second.events.every((e) => compareIds(e.id!, lastId) > 0)).toBe(true);
    expect(await transcriptOf(api, tenant.testKey, interviewId)).toEqual(committed);

    await finish(token, second, 1);
    expectInOrderOnce([...first.events, ...second.events]);
    await expectWholeConversation(tenant.testKey, interviewId, token);
    const turns = await transcriptOf(api, tenant.testKey, interviewId);
    expect(turns.slice(0, 3)).toEqual(committed);
  });

  /**
   * Kills the platform while the interviewer's reply to the first answer is being generated (its lease
   * taken, nothing committed), checks what the database holds, and starts it again. Returns the widget's
   * new stream, reconnected with Last-Event-ID.
   */
  async function crashWhileReplying() {
    const { interviewId, token, events: first } = await startInterview(tenant.liveKey);
    const held = model.holdNextReply();
    const before = first.events.length;
    await postAnswer(api, token);
    await within('the reply to the answer to reach the model', held.reached);
    await first.nextAfter(before, 'state');
    const lastId = first.events.at(-1)!.id!;

    await kill();
    await first.done;
    const [row] = await sql<{ status: string; progress: Record<string, unknown> }>(
      database.url,
      'select status, progress from interviews where id = $1',
      [interviewId],
    );
    expect(row).toMatchObject({
      status: 'in_progress',
      progress: { awaiting: 'interviewer', questionIndex: 0 },
    });
    expect(row!.progress.leaseUntil, 'the dead instance still holds the turn').not.toBeNull();
    const turns = await sql<{ speaker: string; kind: string }>(
      database.url,
      'select speaker, kind from interview_turns where interview_id = $1 order by seq',
      [interviewId],
    );
    expect(turns.map((t) => `${t.speaker}:${t.kind}`)).toEqual(completeTranscript.slice(0, 2));
    await boot();

    const second = new SseClient(`${url}/v1/session/events`, token, lastId);
    const state = await second.next((e) => e.event === 'state');
    expect(state.data).toMatchObject({ status: 'in_progress', question_index: 0, turn: 'interviewer' });
    expect(await leaseLapsed(database.url, interviewId), 'the reconnect came while the lease held').toBe(
      false,
    );
    return { interviewId, token, first, second };
  }

  it('regenerates the reply a kill interrupted once the dead instance’s lease lapses and the widget reconnects', async () => {
    const { interviewId, token, first, second } = await crashWhileReplying();
    // The reconnect nudged the engine while the dead instance's lease still held the turn; the reply is made
    // once it lapses, and a widget that reconnects again replays it from its Last-Event-ID.
    await until('the dead instance’s lease lapses', () => leaseLapsed(database.url, interviewId));
    second.close();
    await second.done;
    const third = new SseClient(`${url}/v1/session/events`, token, second.events.at(-1)!.id!);
    // Generous: the reply is a fresh model turn in a child process, slow on a loaded machine.
    const reply = await third.next((e) => e.event === 'interviewer.done', 30_000);
    expect(String(reply.data.text)).toContain(question(1));
    await third.next(candidateTurnAt(1));
    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    expect(shapeOf(turns)).toEqual(completeTranscript.slice(0, 3));
    expect(turns[2]).toMatchObject({ id: reply.data.turn_id, text: reply.data.text });

    await finish(token, third, 1);
    expectInOrderOnce([...first.events, ...second.events, ...third.events]);
    await expectWholeConversation(tenant.liveKey, interviewId, token);
  });

  // A widget reconnects at once (EventSource after 3 s), while the dead instance's lease still holds the turn:
  // the instance it reached retries the turn when that lease lapses, with no further reconnect.
  it('regenerates the interrupted reply on the stream the widget reconnected, without another reconnect', async () => {
    const { interviewId, second } = await crashWhileReplying();
    try {
      await until('the dead instance’s lease lapses', () => leaseLapsed(database.url, interviewId));
      await second.next((e) => e.event === 'interviewer.done', 5_000);
    } finally {
      second.close();
    }
  });

  it('comes out whole when killed right after the 202 of an answer, whatever the crash interrupted', async () => {
    const { interviewId, token, events: first } = await startInterview(tenant.testKey);
    await postAnswer(api, token);
    await kill();
    await first.done;
    await boot();
    // The reply was committed, or is being generated under a lease that must lapse, or was never begun.
    await until('no dead instance holds the reply', () => leaseLapsed(database.url, interviewId));
    const lastId = first.events.at(-1)?.id ?? undefined;
    const second = new SseClient(`${url}/v1/session/events`, token, lastId);
    await second.next(candidateTurnAt(1));
    const turns = await transcriptOf(api, tenant.testKey, interviewId);
    expect(shapeOf(turns)).toEqual(completeTranscript.slice(0, 3));
    expect(turns[2]!.text).toContain(question(1));

    await finish(token, second, 1);
    expectInOrderOnce([...first.events, ...second.events]);
    await expectWholeConversation(tenant.testKey, interviewId, token);
    // Deltas of a reply the crash cut short may have gone out under a turn id that never got committed;
    // everything the widget was told was done is in the transcript.
    const final = await transcriptOf(api, tenant.testKey, interviewId);
    const done = [...first.events, ...second.events].filter((e) => e.event === 'interviewer.done');
    for (const event of done) expect(final.map((t) => t.id)).toContain(event.data.turn_id);
  });
}, 60_000);

describe('a platform process stopped with SIGTERM mid-reply, as by a deploy', () => {
  it('finishes the reply it is speaking before it ends the stream, and leaves no turn to wait out', async () => {
    const { interviewId, token, events: first } = await startInterview(tenant.liveKey);
    const held = model.holdNextReply();
    const before = first.events.length;
    await postAnswer(api, token);
    await within('the reply to the answer to reach the model', held.reached);

    const stopped = child!.stop();
    await until('the stopping platform refuses new connections', () =>
      fetch(`${url}/healthz`).then(
        () => false,
        () => true,
      ),
    );
    held.release();
    const reply = await first.nextAfter(before, 'interviewer.done');
    expect(String(reply.data.text)).toContain(question(1));
    await first.done;
    expect(await stopped).toBe(0);
    child = null;

    const [row] = await sql<{ progress: Record<string, unknown> }>(
      database.url,
      'select progress from interviews where id = $1',
      [interviewId],
    );
    expect(row!.progress).toMatchObject({ awaiting: 'candidate', questionIndex: 1 });
    await boot();
    const second = new SseClient(`${url}/v1/session/events`, token, first.events.at(-1)!.id!);
    const state = await second.next((e) => e.event === 'state');
    expect(state.data).toMatchObject({ status: 'in_progress', question_index: 1, turn: 'candidate' });
    await finish(token, second, 1);
    expectInOrderOnce([...first.events, ...second.events]);
    await expectWholeConversation(tenant.liveKey, interviewId, token);
  });

  it('abandons a reply still unfinished after the grace, releasing its turn at once for the next instance', async () => {
    await kill();
    await boot({ VIVA_SHUTDOWN_GRACE_SECONDS: '1' });
    const { interviewId, token, events: first } = await startInterview(tenant.liveKey);
    const held = model.holdNextReply();
    const before = first.events.length;
    await postAnswer(api, token);
    await within('the reply to the answer to reach the model', held.reached);

    try {
      expect(await child!.stop()).toBe(0);
      child = null;
      await first.done;
      // No fallback spoke for it and no error was shown: the turn is simply left for the next instance.
      const after = first.events.slice(before).map((e) => e.event);
      expect(after).not.toContain('interviewer.done');
      expect(after).not.toContain('error');
      const [row] = await sql<{ progress: Record<string, unknown> }>(
        database.url,
        'select progress from interviews where id = $1',
        [interviewId],
      );
      expect(row!.progress).toMatchObject({ awaiting: 'interviewer', questionIndex: 0, leaseUntil: null });
    } finally {
      held.release();
    }

    await boot();
    // With no lease to wait out, the reconnect alone brings the reply.
    const second = new SseClient(`${url}/v1/session/events`, token, first.events.at(-1)!.id!);
    const reply = await second.next((e) => e.event === 'interviewer.done');
    expect(String(reply.data.text)).toContain(question(1));
    await second.next(candidateTurnAt(1));
    await finish(token, second, 1);
    await expectWholeConversation(tenant.liveKey, interviewId, token);
  });
}, 60_000);
