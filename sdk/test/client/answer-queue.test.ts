import { expect } from '@open-wc/testing';
import { AnswerQueue } from '../../src/client/answer-queue.ts';
import { SessionEventStream } from '../../src/client/event-stream.ts';
import { SessionApi } from '../../src/client/session-api.ts';
import type { SessionFixture } from '../support/protocol.ts';
import { newSession, proxy, serverTranscript, speechLatency, until } from './platform.ts';

const long = (topic: string) =>
  `I worked on ${topic} for two years, with designers and engineers, and measured how it changed our releases.`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The events seen, a run of the same one as one entry: `interviewer.delta ×12`. */
function runs(events: string[]): string[] {
  const out: { event: string; count: number }[] = [];
  for (const event of events) {
    const last = out.at(-1);
    if (last?.event === event) last.count += 1;
    else out.push({ event, count: 1 });
  }
  return out.map(({ event, count }) => (count > 1 ? `${event} ×${count}` : event));
}

/**
 * An answer queue fed by the interview's real event stream and sending to the real platform, as the client
 * wires them (apply-session-event.ts), but for the answers' `candidate.transcript`: the platform could not
 * publish those (it logs that and goes on, as the answer stands). Two answers: the second must go once the
 * interviewer has replied to the first.
 */
async function twoAnswersWithoutTranscripts(session: SessionFixture): Promise<void> {
  const api = new SessionApi({ apiBase: session.apiBase, sessionToken: session.token });
  const problems: unknown[] = [];
  const queue = new AnswerQueue({
    submit: (body, key, signal) => api.submitAnswer(body, key, { retry: { maxAttempts: 1 }, signal }),
    onPendingChange: () => {},
    onFatal: (error) => problems.push(error),
  });
  const seen: string[] = [];
  let turn = 'none';
  const stream = new SessionEventStream({
    url: `${session.apiBase}/v1/session/events`,
    sessionToken: session.token,
    lastEventId: null,
    handlers: {
      onOpen: () => queue.connectionRestored(),
      onEvent: (event) => {
        seen.push(event.event);
        if (event.event === 'state') {
          turn = event.data.turn;
          queue.stateChanged(event.data.turn);
        } else if (event.event === 'interviewer.done') queue.interviewerDone();
        else if (event.event === 'interview.completed') stream.finish();
      },
      onDrop: (error) => problems.push(error),
      onFail: (error) => problems.push(error),
    },
  });
  void stream.run();
  try {
    await api.startSession();
    await until(
      () => turn === 'candidate',
      () => `the candidate's turn; events so far ${runs(seen)}`,
    );
    const first = await queue.add({ kind: 'text', text: long('a design system') });
    expect(first.text).to.equal(long('a design system'));
    const second = queue.add({ kind: 'text', text: long('accessibility testing') }).then((a) => a.text);
    const outcome = await Promise.race([second, sleep(20_000).then(() => 'still queued after 20 s')]);
    expect(outcome, `events ${runs(seen).join(', ')}; problems ${problems.map(String)}`).to.equal(
      long('accessibility testing'),
    );
    const transcript = await serverTranscript(session.interviewId);
    expect(
      transcript.turns.filter((t) => t.speaker === 'candidate').map((t) => t.text),
      JSON.stringify(transcript),
    ).to.deep.equal([long('a design system'), long('accessibility testing')]);
    expect(problems.map(String)).to.deep.equal([]);
  } finally {
    stream.close();
    queue.close('The test is over.');
  }
}

describe('AnswerQueue', () => {
  afterEach(() => speechLatency(0));

  it('sends the next answer once the interviewer replies, when the last answer’s transcript never came', async function () {
    this.timeout(60_000);
    // A live interview's reply waits for its speech: the 202 comes well before it.
    await speechLatency(700);
    await twoAnswersWithoutTranscripts(await newSession({ live: true }));
  });

  it('sends the next answer at once, when the reply came before the acknowledgement and no transcript did', async function () {
    this.timeout(60_000);
    const session = await newSession({ proxy: true });
    // The first answer's 202 reaches the page after the interviewer's whole reply.
    await proxy(session, {
      action: 'delay-responses',
      method: 'POST',
      path: '/v1/session/answers',
      ms: 3000,
    });
    await twoAnswersWithoutTranscripts(session);
  });
});
