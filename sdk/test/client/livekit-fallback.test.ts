import { expect } from '@open-wc/testing';
import type { InterviewClient } from '../../src/client/interview-client.ts';
import type { InterviewState, Session, TransportKind } from '../../src/client/types.ts';
import type { SessionFixture } from '../support/protocol.ts';
import { fakeTranscript } from '../support/protocol.ts';
import {
  clientFor,
  closeClients,
  liveKitAttempts,
  newSession,
  proxyLog,
  serverTranscript,
  untilCandidateTurn,
  untilState,
} from './platform.ts';

/**
 * LiveKit when the platform offers it, HTTP when WebRTC cannot connect. No LiveKit server can run here, so
 * the sessions come from a second platform configured with LiveKit (`livekit: …` in `newSession`) whose
 * LIVEKIT_URL is a fake server that fails every join, as a corporate network does: it refuses at once
 * (`refuse`), or opens the signalling socket and never answers (`hang`). The real platform mints a real
 * room token, the real livekit-client tries the room with it, fails, and the interview goes on over HTTP.
 */

// The fixture's pause after the sentence is a second: a shorter silence ends each spoken answer.
const silenceMs = 700;

// Two questions and no follow-ups: the fake microphone's one short answer per question takes it to the end.
const job = {
  title: 'Frontend Engineer',
  description: 'Design systems team.',
  questions: [
    { text: 'Tell me about a component you are proud of.' },
    { text: 'How do you test accessibility?' },
  ],
  rubric: { dimensions: [{ key: 'craft', name: 'Craft', weight: 1 }] },
  settings: { max_follow_ups: 0 },
};

// The test framework's own modules must not crowd the livekit-client chunk out of the default 250 entries.
performance.setResourceTimingBufferSize(10_000);

function loadedLiveKitClient(): boolean {
  return performance.getEntriesByType('resource').some((entry) => /livekit-client/.test(entry.name));
}

function transportsOf(states: readonly InterviewState[]): (TransportKind | null)[] {
  return states.map((s) => s.transport).filter((transport, i, all) => i === 0 || all[i - 1] !== transport);
}

/** The platform side of LiveKit (`transports`, `POST /v1/session/livekit`) may not be there yet: say so. */
/** The platform configured with LiveKit offers it to a voice interview: otherwise nothing here is tested. */
function expectLiveKitOffered(session: Session): void {
  expect(session.transports, 'the transports a LiveKit-configured platform offers').to.include('livekit');
}

async function livekitRequests(session: SessionFixture) {
  // The browser's CORS preflight (OPTIONS, 204) for the POST is not a request for a room.
  return (await proxyLog(session)).filter(
    (entry) => entry.method === 'POST' && entry.path === '/v1/session/livekit',
  );
}

function candidateAnswers(client: InterviewClient) {
  return client.transcript.filter((entry) => entry.speaker === 'candidate' && entry.final);
}

/** The interview's transcript as the ATS reads it, turn by turn: who, what kind, which question, with audio. */
async function expectTranscript(interviewId: string, shape: unknown[][]): Promise<void> {
  const { turns } = await serverTranscript(interviewId);
  expect(
    turns.map((t) => [t.speaker, t.kind, t.question_index, t.has_audio]),
    JSON.stringify(turns, null, 1),
  ).to.deep.equal(shape);
}

describe('InterviewClient over LiveKit, falling back to HTTP', () => {
  afterEach(() => closeClients());

  it('falls back when the LiveKit server refuses, and the voice interview goes on to the end', async function () {
    this.timeout(120_000);
    const session = await newSession({ live: true, livekit: 'refuse', proxy: true, job });
    const before = (await liveKitAttempts()).length;
    const { client, states } = clientFor(session, { silenceMs });
    expectLiveKitOffered(await client.load());
    await client.openMicrophone();
    await client.start();

    expect(client.state).to.include({ status: 'live', transport: 'http', listening: true });
    expect(transportsOf(states)).to.deep.equal([null, 'http']);
    const grants = await livekitRequests(session);
    expect(
      grants.map((g) => g.status),
      'one room token, minted',
    ).to.deep.equal([200]);
    expect(loadedLiveKitClient(), 'livekit-client was loaded, on demand').to.equal(true);
    const attempts = (await liveKitAttempts()).slice(before);
    expect(
      attempts.some((a) => a.kind === 'websocket' && a.withToken && a.mode === 'refuse'),
      `Room.connect dialled the LiveKit server with the token: ${JSON.stringify(attempts)}`,
    ).to.equal(true);

    // Over HTTP now: the fake microphone's answers are uploaded and heard, until the interview is over.
    await untilState(client, (s) => s.status === 'completed', 'the end of the interview', 90_000);
    expect(candidateAnswers(client).map((e) => e.text)).to.deep.equal([fakeTranscript, fakeTranscript]);
    await expectTranscript(session.interviewId, [
      ['interviewer', 'intro', 0, true],
      ['candidate', 'answer', 0, true],
      ['interviewer', 'question', 1, true],
      ['candidate', 'answer', 1, true],
      ['interviewer', 'closing', null, true],
    ]);
    expect(transportsOf(states).at(-1)).to.equal('http');
  });

  it('falls back at its deadline when the room never answers', async function () {
    this.timeout(60_000);
    const session = await newSession({ live: true, livekit: 'hang', job });
    const before = (await liveKitAttempts()).length;
    const { client } = clientFor(session, { silenceMs, liveKitTimeoutMs: 2500 });
    expectLiveKitOffered(await client.load());
    await client.openMicrophone();
    const startedAt = performance.now();
    await client.start();
    const took = performance.now() - startedAt;

    expect(client.state).to.include({ status: 'live', transport: 'http' });
    expect(took, 'waited for the room until the deadline, and no longer').to.be.within(2400, 10_000);
    const attempts = (await liveKitAttempts()).slice(before);
    expect(
      attempts.some((a) => a.kind === 'websocket' && a.withToken && a.mode === 'hang'),
      JSON.stringify(attempts),
    ).to.equal(true);
    await untilState(client, () => candidateAnswers(client).length > 0, 'a spoken answer, over HTTP', 30_000);
    expect(candidateAnswers(client)[0]!.text).to.equal(fakeTranscript);
  });

  it('resumes at the current question: the interview is never started over', async function () {
    this.timeout(120_000);
    const session = await newSession({ live: true, livekit: 'refuse', proxy: true, job });

    // First by text, with `transport: 'http'`: no room is asked for.
    const first = clientFor(session, { transport: 'http' }).client;
    expectLiveKitOffered(await first.load());
    await first.start({ voice: false });
    expect(first.state.transport).to.equal('http');
    await untilCandidateTurn(first);
    await first.sendText(
      'I rebuilt our date picker so it works with a keyboard and a screen reader, and shipped it everywhere.',
    );
    await untilState(first, (s) => s.questionIndex === 1 && s.turn === 'candidate', 'the second question');
    expect(await livekitRequests(session), 'transport http asks for no room').to.deep.equal([]);
    first.close();

    // Then by voice, in another client (a reload): LiveKit is tried, fails, and the interview goes on.
    const { client, states } = clientFor(session, { silenceMs });
    const resumed = await client.load();
    expect(resumed.status).to.equal('in_progress');
    await client.openMicrophone();
    await client.start();
    expect(client.state.transport).to.equal('http');
    await untilCandidateTurn(client);
    expect(client.state.questionIndex, 'at the second question still').to.equal(1);
    expect((await livekitRequests(session)).map((g) => g.status)).to.deep.equal([200]);
    expect(transportsOf(states)).to.deep.equal([null, 'http']);

    await untilState(client, (s) => s.status === 'completed', 'the end of the interview', 90_000);
    await expectTranscript(session.interviewId, [
      ['interviewer', 'intro', 0, true],
      ['candidate', 'answer', 0, false],
      ['interviewer', 'question', 1, true],
      ['candidate', 'answer', 1, true],
      ['interviewer', 'closing', null, true],
    ]);
  });

  it('answers by text without a room: only a voice interview joins one', async () => {
    // A live interview, offered a room, started without the microphone: by text.
    const session = await newSession({ live: true, livekit: 'refuse', proxy: true });
    const { client } = clientFor(session);
    expectLiveKitOffered(await client.load());
    await client.start();
    expect(client.state).to.include({ status: 'live', transport: 'http', listening: false });
    await untilCandidateTurn(client);
    expect(await livekitRequests(session)).to.deep.equal([]);
  });
});
