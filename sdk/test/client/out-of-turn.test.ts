import { expect } from '@open-wc/testing';
import {
  clientFor,
  closeClients,
  newSession,
  proxy,
  proxyLog,
  serverTranscript,
  speechLatency,
  untilCandidateTurn,
  untilState,
} from './platform.ts';

// In live mode the interviewer's turn waits for its speech; a slow speech server makes the turn last.
const slowSpeechMs = 700;

describe('InterviewClient answers out of turn', () => {
  afterEach(async () => {
    closeClients();
    await speechLatency(0);
  });

  it('holds an answer given while the interviewer speaks, and sends it on the candidate’s turn', async function () {
    this.timeout(60_000);
    await speechLatency(slowSpeechMs);
    const session = await newSession({ live: true, proxy: true });
    const { client } = clientFor(session);
    await client.load();
    await client.start({ voice: false });
    await untilState(client, (s) => s.turn === 'interviewer', 'the interviewer’s turn');

    const answer = 'I rebuilt the date picker for keyboard and screen reader users across every product.';
    const sent = client.sendText(answer);
    expect(client.state.pendingAnswers).to.equal(1);
    await sent;
    expect(client.state.pendingAnswers).to.equal(0);

    const posts = (await proxyLog(session)).filter(
      (e) => e.method === 'POST' && e.path === '/v1/session/answers',
    );
    expect(
      posts.map((e) => e.status),
      'sent once, on the candidate’s turn',
    ).to.deep.equal([202]);
    const transcript = await serverTranscript(session.interviewId);
    expect(transcript.turns.map((t) => t.speaker)).to.deep.equal(['interviewer', 'candidate']);
    expect(transcript.turns[1]!.text).to.equal(answer);
  });

  it('two answers given at once go one per turn, even when an acknowledgement comes after the reply', async function () {
    this.timeout(30_000);
    const session = await newSession({ proxy: true });
    const { client } = clientFor(session);
    await client.load();
    await client.start();
    await untilCandidateTurn(client);
    // The first answer's 202 reaches the browser only after the interviewer's whole reply has.
    await proxy(session, {
      action: 'delay-responses',
      method: 'POST',
      path: '/v1/session/answers',
      ms: 1500,
    });
    const first = 'A date picker.';
    const second =
      'I rebuilt our date picker for keyboard and screen reader users, and shipped it to every team.';
    const sent = [client.sendText(first), client.sendText(second)];
    expect(client.state.pendingAnswers).to.equal(2);
    await Promise.all(sent);

    const posts = (await proxyLog(session)).filter(
      (e) => e.method === 'POST' && e.path === '/v1/session/answers',
    );
    expect(
      posts.map((e) => e.status),
      'each on its turn: no 409',
    ).to.deep.equal([202, 202]);
    const transcript = await serverTranscript(session.interviewId);
    expect(transcript.turns.map((t) => (t.speaker === 'candidate' ? t.text : t.kind))).to.deep.equal([
      'intro',
      first,
      'follow_up',
      second,
      'question',
    ]);
  });

  it('after a 409 (its state was behind), waits for the candidate’s turn and sends again', async function () {
    this.timeout(60_000);
    const session = await newSession({ live: true, proxy: true });
    const { client } = clientFor(session);
    await client.load();
    await client.start({ voice: false });
    await untilCandidateTurn(client);

    // The client's events stall (it still believes it is the candidate's turn) while the same candidate
    // answers from another tab, and the interviewer's spoken reply takes a while.
    await proxy(session, { action: 'pause-events' });
    await speechLatency(slowSpeechMs);
    const first = 'I answered this one from my phone, about the design tokens we shared across products.';
    const response = await fetch(`${session.apiBase}/v1/session/answers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: first }),
    });
    expect(response.status, await response.clone().text()).to.equal(202);

    const second = 'And from the laptop: we test every component with axe and by hand with a screen reader.';
    const sent = client.sendText(second);
    const refused = async () =>
      (await proxyLog(session)).filter(
        (e) => e.method === 'POST' && e.path === '/v1/session/answers' && e.status === 409,
      );
    for (let i = 0; i < 100 && (await refused()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await refused(), 'the platform said it was not the candidate’s turn').to.have.length(1);
    expect(client.state.pendingAnswers, 'the answer waits, not dropped').to.equal(1);
    expect(client.state.error, 'a 409 is not an error to show').to.equal(null);

    await proxy(session, { action: 'resume-events' });
    await sent;
    const posts = (await proxyLog(session)).filter(
      (e) => e.method === 'POST' && e.path === '/v1/session/answers' && e.status !== null,
    );
    expect(posts.map((e) => e.status)).to.deep.equal([202, 409, 202]);
    expect(posts[2]!.idempotencyKey, 'a new key: the old one would replay the 409').to.not.equal(
      posts[1]!.idempotencyKey,
    );
    const transcript = await serverTranscript(session.interviewId);
    expect(transcript.turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).to.deep.equal([
      first,
      second,
    ]);
  });
});
