import { expect } from '@open-wc/testing';
import type { InterviewClient } from '../../src/client/interview-client.ts';
import type { InterviewClientError } from '../../src/client/interview-error.ts';
import type { SessionFixture } from '../support/protocol.ts';
import {
  clientFor,
  closeClients,
  newSession,
  proxy,
  proxyLog,
  serverTranscript,
  statusesOf,
  untilCandidateTurn,
  untilState,
} from './platform.ts';

const long = (topic: string) =>
  `I worked on ${topic} for two years, with designers and engineers, and measured how it changed our releases.`;

async function liveThroughProxy() {
  const session = await newSession({ proxy: true });
  const { client, states } = clientFor(session);
  await client.load();
  await client.start();
  await untilCandidateTurn(client);
  return { session, client, states };
}

/** The answers that reached the proxy (CORS preflights aside). */
async function answerPosts(session: SessionFixture) {
  return (await proxyLog(session)).filter((e) => e.method === 'POST' && e.path === '/v1/session/answers');
}

async function eventStreams(session: SessionFixture) {
  return (await proxyLog(session)).filter((e) => e.method === 'GET' && e.path === '/v1/session/events');
}

function candidateTexts(turns: { speaker: string; text: string }[]): string[] {
  return turns.filter((turn) => turn.speaker === 'candidate').map((turn) => turn.text);
}

/** The client's captions equal the platform's transcript: nothing missed, nothing twice. */
async function expectSameTranscript(client: InterviewClient, interviewId: string): Promise<void> {
  const platform = await serverTranscript(interviewId);
  const mine = client.transcript.map(({ turnId, speaker, text }) => ({ turnId, speaker, text }));
  expect(
    platform.turns.map((turn) => ({ turnId: turn.id, speaker: turn.speaker, text: turn.text })),
    JSON.stringify(mine, null, 1),
  ).to.deep.equal(mine);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('InterviewClient network drops', () => {
  afterEach(() => closeClients());

  it('reconnects after the event stream is cut, resuming from the last event', async function () {
    this.timeout(60_000);
    const { session, client, states } = await liveThroughProxy();
    await proxy(session, { action: 'cut' });
    await untilState(client, (s) => s.status === 'reconnecting', 'reconnecting after the cut');
    await untilState(client, (s) => s.status === 'live', 'live again', 30_000);
    expect(statusesOf(states)).to.deep.equal([
      'loading',
      'ready',
      'connecting',
      'live',
      'reconnecting',
      'live',
    ]);

    const streams = await eventStreams(session);
    expect(streams.length, JSON.stringify(streams)).to.be.greaterThan(1);
    expect(streams[0]!.lastEventId, 'the first stream starts from the beginning').to.equal(null);
    expect(streams.at(-1)!.lastEventId, 'the reconnect resumes after the last event').to.match(/^\d+-\d+$/);

    await untilCandidateTurn(client);
    await client.sendText(long('a design system'));
    await untilCandidateTurn(client);
    await client.sendText(long('accessibility testing'));
    await untilState(client, (s) => s.status === 'completed', 'the end of the interview');
    await expectSameTranscript(client, session.interviewId);

    // The platform ended the stream after interview.completed, and the token is dead: no reconnect.
    const opened = (await eventStreams(session)).length;
    await sleep(4000);
    expect((await eventStreams(session)).length).to.equal(opened);
    expect(client.state.status).to.equal('completed');
  });

  it('keeps an answer sent while the network is down, and delivers it once when it is back', async function () {
    this.timeout(90_000);
    const { session, client, states } = await liveThroughProxy();
    await proxy(session, { action: 'down' });
    await untilState(client, (s) => s.status === 'reconnecting', 'reconnecting while the network is down');

    const answer = long('a date picker');
    const sent = client.sendText(answer);
    await untilState(client, (s) => s.pendingAnswers === 1, 'the answer queued');
    const tried = async () => (await proxyLog(session)).filter((entry) => entry.outcome === 'refused').length;
    const refusedBefore = await tried();
    await sleep(1500);
    expect(await tried(), 'the client kept trying while the network was down').to.be.greaterThan(
      refusedBefore,
    );
    expect(client.state.pendingAnswers, 'still queued, not dropped').to.equal(1);

    await proxy(session, { action: 'up' });
    await sent;
    expect(client.state.pendingAnswers).to.equal(0);
    await untilState(client, (s) => s.status === 'live', 'live again', 30_000);
    expect(statusesOf(states)).to.deep.equal([
      'loading',
      'ready',
      'connecting',
      'live',
      'reconnecting',
      'live',
    ]);

    await untilCandidateTurn(client);
    const transcript = await serverTranscript(session.interviewId);
    expect(candidateTexts(transcript.turns)).to.deep.equal([answer]);
    const posts = (await answerPosts(session)).filter((e) => e.status !== null);
    expect(posts.map((e) => e.status)).to.deep.equal([202]);
    await expectSameTranscript(client, session.interviewId);
  });

  it('resolves the last answer when the interview completes before its acknowledgement arrives', async function () {
    this.timeout(60_000);
    const { session, client } = await liveThroughProxy();
    await client.sendText(long('a design system'));
    await untilCandidateTurn(client);
    // The platform commits the last answer and ends the interview; its 202 reaches the browser after the end.
    await proxy(session, {
      action: 'delay-responses',
      method: 'POST',
      path: '/v1/session/answers',
      ms: 3000,
    });
    const last = client.sendText(long('accessibility testing'));
    await untilState(client, (s) => s.status === 'completed', 'the end of the interview');
    expect(client.state.pendingAnswers, 'the last answer is still on its way').to.equal(1);
    await last;
    expect(client.state.pendingAnswers).to.equal(0);
    expect(client.state.error).to.equal(null);
    await expectSameTranscript(client, session.interviewId);
  });

  it('sends an answer again with the same Idempotency-Key when its acknowledgement is lost', async function () {
    this.timeout(60_000);
    const { session, client } = await liveThroughProxy();
    // The platform commits the answer; the browser's connection is reset before it hears the 202.
    await proxy(session, { action: 'drop-responses', method: 'POST', path: '/v1/session/answers' });
    const answer = long('an icon library');
    await client.sendText(answer);

    const posts = await answerPosts(session);
    expect(posts.map((e) => e.outcome)).to.deep.equal(['dropped', 'forwarded']);
    expect(posts.map((e) => e.status)).to.deep.equal([202, 202]);
    expect(posts[0]!.idempotencyKey, 'a key on the first attempt').to.match(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.idempotencyKey, 'the same key on the retry').to.equal(posts[0]!.idempotencyKey);

    await untilCandidateTurn(client);
    const transcript = await serverTranscript(session.interviewId);
    expect(candidateTexts(transcript.turns), 'counted once').to.deep.equal([answer]);
  });

  it('stops reconnecting when the platform says the session is over (401), and shows how it ended', async function () {
    this.timeout(60_000);
    const { session, client, states } = await liveThroughProxy();
    await proxy(session, { action: 'down' });
    await untilState(client, (s) => s.status === 'reconnecting', 'reconnecting');
    const late = client.sendText(long('a last thought')).then(
      () => 'delivered',
      (error: InterviewClientError) => error.code,
    );
    // Meanwhile the interview ends elsewhere (the candidate's other tab, on a working network): the token dies.
    const ended = await fetch(`${session.platformBase}/v1/session/end`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(ended.status, await ended.clone().text()).to.equal(200);
    await proxy(session, { action: 'up' });
    await untilState(client, (s) => s.status !== 'reconnecting', 'the end of reconnecting', 30_000);
    // The refusal says the interview was completed, and why: the candidate sees the end, not a bad link.
    expect(client.state.status).to.equal('completed');
    expect(client.state.completion).to.deep.equal({
      interviewId: session.interviewId,
      reason: 'candidate_ended',
    });
    expect(client.state.error).to.equal(null);
    expect(statusesOf(states)).not.to.include('error');
    expect(await late, 'the answer queued while offline came too late').to.equal('answer_rejected');
    expect(client.state.pendingAnswers).to.equal(0);
    // Whichever came first, the stream's reconnect or the queued answer, met the dead token; then nothing more.
    const refused = (await proxyLog(session)).filter((e) => e.status === 401);
    expect(refused, 'one request met the dead token').to.have.length(1);

    const streams = (await eventStreams(session)).length;
    await sleep(4000);
    expect((await eventStreams(session)).length, 'and tried no more').to.equal(streams);
  });
});
