import { expect } from '@open-wc/testing';
import type { SessionFixture } from '../support/protocol.ts';
import {
  clientFor,
  closeClients,
  newSession,
  proxy,
  serverTranscript,
  statusesOf,
  untilCandidateTurn,
  untilState,
} from './platform.ts';

const long = (topic: string) =>
  `I worked on ${topic} for two years, with designers and engineers, and measured how it changed our releases.`;

/**
 * Has the platform publish a fresh `state` to every stream of the interview, as it does for each connection:
 * a connection of its own, straight to the platform, closed once it is open.
 */
async function freshState(session: SessionFixture): Promise<void> {
  const connection = new AbortController();
  const response = await fetch(`${session.platformBase}/v1/session/events`, {
    headers: { authorization: `Bearer ${session.token}` },
    signal: connection.signal,
  });
  expect(response.status, 'a fresh connection of the interview').to.equal(200);
  connection.abort();
}

describe('InterviewClient and interviewer_unavailable', () => {
  afterEach(() => closeClients());

  it('an error the interviewer’s reply follows on the stream stops nothing: live, and the next answer goes', async function () {
    this.timeout(60_000);
    const session = await newSession({ proxy: true });
    const { client, states } = clientFor(session);
    await client.load();
    await client.start();
    await untilCandidateTurn(client);

    // What the stream brings next is held, then comes at once: the events of a page that connects without
    // Last-Event-ID (all of them, an old failure among them), or of a turn the platform tried again by itself.
    await proxy(session, { action: 'pause-events' });
    await freshState(session);
    await client.sendText(long('a design system'));
    // Comes after the first held event (the fresh `state`), before the reply to the answer.
    await proxy(session, {
      action: 'inject-event',
      event: 'error',
      data: { code: 'interviewer_unavailable', message: 'The interviewer could not reply.' },
    });
    await proxy(session, { action: 'resume-events' });

    await untilState(
      client,
      (s) => s.status === 'live' && s.turn === 'candidate' && s.questionIndex === 1,
      'live again, at the next question',
    );
    expect(statusesOf(states), 'the error was heard, and the reply ended it').to.deep.equal([
      'loading',
      'ready',
      'connecting',
      'live',
      'error',
      'live',
    ]);
    expect(client.state.error).to.equal(null);

    await client.sendText(long('accessibility testing'));
    await untilState(client, (s) => s.status === 'completed', 'the end of the interview');
    const transcript = await serverTranscript(session.interviewId);
    expect(
      transcript.turns.filter((turn) => turn.speaker === 'candidate').map((turn) => turn.text),
      JSON.stringify(transcript),
    ).to.deep.equal([long('a design system'), long('accessibility testing')]);
  });
});
