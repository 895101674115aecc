import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
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
  expectInOrderOnce,
  leaseLapsed,
  postAnswer,
  type ScriptedModel,
  scriptedModel,
  shapeOf,
  threeQuestionJob,
  transcriptOf,
  until,
  withDatabase,
  within,
} from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { type ReceivedEvent, SseClient } from '../support/sse-client.ts';

/**
 * Two platform instances on one database and one Redis, as behind a load balancer: whichever instance
 * takes a request, the candidate's stream on the other hears it.
 */

/** Short, so a test can let a turn's lease lapse while its instance still works on it. */
const leaseSeconds = 1;
const job = threeQuestionJob();
const question = (index: number) => job.questions[index]!.text;

let a: TestPlatform;
let b: TestPlatform;
let apiA: ApiClient;
let apiB: ApiClient;
let tenant: TestTenant;
let fake: FakeOpenAi;
let model: ScriptedModel;
const { lines: logsOfA, sink } = logCapture();

beforeAll(async () => {
  fake = await startFakeOpenAi();
  model = scriptedModel();
  fake.setChatScript(model.script);
  const env = {
    LLM_BASE_URL: fake.baseUrl,
    VIVA_INTERVIEWER_LEASE_SECONDS: String(leaseSeconds),
    // Session tokens name the platform's public URL as issuer: instances behind one address share it.
    VIVA_PUBLIC_URL: 'https://interviews.example.com',
    // Scoring calls would reach the scripted interviewer model; scoring is tested apart.
    VIVA_SCORING_WORKER: 'false',
  };
  // Turns may run past their lease here, as on an instance that stalls (no setting allows it): the commit
  // must still refuse them.
  const configure = (config: Config): Config => ({ ...config, interviewerTurnSeconds: 60 });
  // A's warnings say when it drops a turn whose lease it lost.
  a = await startTestPlatform({ ...env, LOG_LEVEL: 'warn' }, { logDestination: sink, configure });
  b = await startTestPlatform(env, { databaseUrl: a.databaseUrl!, s3: a.s3!, configure });
  apiA = apiClient(a.url);
  apiB = apiClient(b.url);
  tenant = await createTestTenant(apiA);
});

/** Every stream a test opens, closed after it whether it passed or not. */
const streams: SseClient[] = [];
function listen(platform: TestPlatform, token: string, lastEventId?: string): SseClient {
  const stream = new SseClient(`${platform.url}/v1/session/events`, token, lastEventId);
  streams.push(stream);
  return stream;
}
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await fake?.stop();
});

/** The text each interviewer turn streamed, by turn id, in the order the deltas came. */
function streamedTexts(events: ReceivedEvent[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const e of events.filter((x) => x.event === 'interviewer.delta')) {
    const id = String(e.data.turn_id);
    texts.set(id, (texts.get(id) ?? '') + String(e.data.text));
  }
  return texts;
}

describe('two instances on one database and one Redis', () => {
  it('streams on B, in order and none twice, what answers posted to A produce; a token minted on A works on B', async () => {
    const { interviewId, token } = await openSession(apiA, tenant.testKey, job);
    const onB = await apiB.call('GET', '/v1/session', { key: token });
    expect(onB.status, describeResponse(onB)).toBe(200);
    expect(onB.body).toMatchObject({ interview_id: interviewId, status: 'scheduled' });

    const streamB = listen(b, token);
    const streamA = listen(a, token);
    await streamB.next((e) => e.event === 'state');
    await streamA.next((e) => e.event === 'state');
    const started = await apiA.call('POST', '/v1/session/start', { key: token });
    expect(started.status, describeResponse(started)).toBe(200);
    const intro = await streamB.next((e) => e.event === 'interviewer.done');
    expect(String(intro.data.text)).toContain(question(0));
    await streamB.next(candidateTurnAt(0));

    const answerTurns: string[] = [];
    for (let at = 0; at < job.questions.length; at++) {
      const before = streamB.events.length;
      // The last answer goes to B: the token works there for answers too.
      answerTurns.push(await postAnswer(at === job.questions.length - 1 ? apiB : apiA, token));
      const heard = await streamB.nextAfter(before, 'candidate.transcript');
      expect(heard.data.turn_id).toBe(answerTurns[at]);
      const reply = await streamB.nextAfter(before, 'interviewer.done');
      if (at + 1 < job.questions.length) {
        expect(String(reply.data.text)).toContain(question(at + 1));
        await streamB.next(candidateTurnAt(at + 1));
      }
    }
    const completed = await streamB.next((e) => e.event === 'interview.completed');
    expect(completed.data).toEqual({ interview_id: interviewId, reason: 'questions_done' });
    await Promise.all([streamA.done, streamB.done]);

    expectInOrderOnce(streamB.events);
    // Both instances delivered the same events, with the same ids, in the same order.
    expect(streamA.events).toEqual(streamB.events);

    const done = streamB.events.filter((e) => e.event === 'interviewer.done');
    const heard = streamB.events.filter((e) => e.event === 'candidate.transcript');
    expect(done).toHaveLength(4);
    expect(heard.map((e) => e.data.turn_id)).toEqual(answerTurns);
    const streamed = streamedTexts(streamB.events);
    expect([...streamed.keys()]).toEqual(done.map((e) => e.data.turn_id));
    for (const e of done) expect(streamed.get(String(e.data.turn_id))?.trim()).toBe(e.data.text);
    // Each reply comes after the answer it replies to, and its deltas after that answer too.
    const turnOrder = streamB.events
      .filter((e) => e.event === 'interviewer.done' || e.event === 'candidate.transcript')
      .map((e) => e.event);
    expect(turnOrder).toEqual([
      'interviewer.done',
      'candidate.transcript',
      'interviewer.done',
      'candidate.transcript',
      'interviewer.done',
      'candidate.transcript',
      'interviewer.done',
    ]);

    const turns = await transcriptOf(apiB, tenant.testKey, interviewId);
    expect(turns.map((t) => t.id)).toEqual(
      streamB.events
        .filter((e) => e.event === 'interviewer.done' || e.event === 'candidate.transcript')
        .map((e) => e.data.turn_id),
    );
  });

  it('picks up on B a turn whose lease lapsed on A, and the turn commits once', async () => {
    const { interviewId, token } = await openSession(apiA, tenant.liveKey, job);
    await apiA.call('POST', '/v1/session/start', { key: token });
    const streamA = listen(a, token);
    await streamA.next(candidateTurnAt(0));
    const held = model.holdNextReply();
    await postAnswer(apiA, token);
    await within('A’s reply to reach the model', held.reached);
    await until('A’s lease lapses', () => leaseLapsed(a.databaseUrl!, interviewId));
    // B's stream nudges B's engine, which takes the lapsed turn over while A is still waiting on the model.
    const streamB = listen(b, token, streamA.events.at(-1)!.id!);
    const reply = await streamB.next((e) => e.event === 'interviewer.done');
    expect(String(reply.data.text)).toContain(question(1));
    await streamB.next(candidateTurnAt(1));
    // A's reply now arrives, late: the commit sees the turn already taken and drops it.
    held.release();
    await until('A’s late reply has been streamed', async () =>
      streamA.events.some((e) => e.event === 'interviewer.delta' && String(e.data.text).includes('Thanks')),
    );
    const turns = await transcriptOf(apiA, tenant.liveKey, interviewId);
    expect(shapeOf(turns)).toEqual(['interviewer:intro', 'candidate:answer', 'interviewer:question']);
    streamA.close();
    streamB.close();
  });

  it('takes exactly one of ten answers sent at once, five to each instance', async () => {
    const { interviewId, token } = await openSession(apiA, tenant.liveKey, job);
    await apiA.call('POST', '/v1/session/start', { key: token });
    const stream = listen(a, token);
    await stream.next(candidateTurnAt(0));
    // Held, the reply cannot end the interviewer's turn while answers are still arriving.
    const reply = model.holdNextReply();
    const sent = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? apiA : apiB).call<{ code?: string }>('POST', '/v1/session/answers', {
          key: token,
          body: { text: `Answer ${i}, sent with nine others at once.` },
        }),
      ),
    );
    expect(sent.map((res) => res.status).sort()).toEqual([202, ...Array<number>(9).fill(409)]);
    expect(sent.filter((res) => res.status === 409).map((res) => res.body.code)).toEqual(
      Array<string>(9).fill('invalid_state'),
    );
    await within('the reply to reach the model', reply.reached);
    reply.release();
    await stream.next(candidateTurnAt(1));
    const turns = await transcriptOf(apiA, tenant.liveKey, interviewId);
    expect(shapeOf(turns)).toEqual(['interviewer:intro', 'candidate:answer', 'interviewer:question']);
  });

  it('publishes a connecting widget’s fresh state before any newer one, never after', async () => {
    const { token } = await openSession(apiA, tenant.liveKey, job);
    const intro = model.holdNextReply();
    await apiA.call('POST', '/v1/session/start', { key: token });
    await within('the intro to reach the model', intro.reached);
    const first = listen(a, token);
    const states = () => first.events.filter((e) => e.event === 'state');
    await first.next((e) => e.event === 'state');
    // A second connection reads the interview for its fresh state while the intro is still being written,
    // and is held at its next read by a lock on the jobs table; meanwhile the intro ends.
    await withDatabase(a.databaseUrl!, async (client) => {
      const waiting = async () => {
        const rows = await client.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        return rows.rows[0]!.n;
      };
      await client.query('begin');
      await client.query('lock table jobs in access exclusive mode');
      listen(a, token);
      await until('the fresh state’s read waits', async () => (await waiting()) >= 1);
      intro.release();
      await until(
        'the intro commits, or waits for the fresh state',
        async () => first.events.some((e) => e.event === 'interviewer.done') || (await waiting()) >= 2,
      );
      await client.query('commit');
    });
    await first.next((e) => e.event === 'interviewer.done');
    // The start's state, one fresh state per connection, and the intro's.
    await until('every state is out', async () => states().length >= 4);
    expect(states().at(-1)!.data).toMatchObject({ turn: 'candidate', question_index: 0 });
  });

  // A turn that outlives its lease must not commit after the turn that superseded it. Checking only that the
  // interviewer is due is not enough: when the candidate has answered again meanwhile, the stale reply (to
  // the previous answer) would commit as the reply to the new one, and the right reply be dropped.
  it('never commits a reply whose lease was taken over, even when the interviewer is due again', async () => {
    const { interviewId, token } = await openSession(apiA, tenant.liveKey, job);
    await apiA.call('POST', '/v1/session/start', { key: token });
    const streamA = listen(a, token);
    await streamA.next(candidateTurnAt(0));
    // A generates the reply to the first answer, slowly: its lease lapses, and B takes the turn over.
    const stale = model.holdNextReply();
    await postAnswer(apiA, token);
    await within('A’s reply to reach the model', stale.reached);
    await until('A’s lease lapses', () => leaseLapsed(a.databaseUrl!, interviewId));
    const streamB = listen(b, token, streamA.events.at(-1)!.id!);
    await streamB.next(candidateTurnAt(1));
    // The candidate answers the second question; B is generating the reply.
    const current = model.holdNextReply();
    await postAnswer(apiB, token);
    await within('B’s reply to reach the model', current.reached);
    // A's reply finishes first, after B's answer made the interviewer due again: A must not commit it.
    const dropped = () =>
      logsOfA.some((line) => line.includes('interviewer turn dropped') && line.includes(interviewId));
    stale.release();
    await until('A drops its reply', async () => dropped());
    current.release();
    await streamB.next(candidateTurnAt(2));
    const turns = await transcriptOf(apiA, tenant.liveKey, interviewId);
    streamA.close();
    streamB.close();
    expect(shapeOf(turns)).toEqual([
      'interviewer:intro',
      'candidate:answer',
      'interviewer:question',
      'candidate:answer',
      'interviewer:question',
    ]);
    expect(turns[4]!.text, 'the reply to the second answer asks the third question').toContain(question(2));
  });
});
