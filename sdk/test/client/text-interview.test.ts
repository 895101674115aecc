import { expect } from '@open-wc/testing';
import type { InterviewClient } from '../../src/client/interview-client.ts';
import type { Turn } from '../../src/client/types.ts';
import {
  clientFor,
  closeClients,
  newSession,
  serverTranscript,
  statusesOf,
  untilCandidateTurn,
  untilState,
} from './platform.ts';

const answers = [
  'A date picker.',
  'I rebuilt our date picker so it works with a keyboard and a screen reader, and we shipped it to every product team.',
  'I test with axe in continuous integration, then by hand with VoiceOver and NVDA on every release of the library.',
];

/** The turns the client saw, as the platform's transcript would list them. */
function captions(client: InterviewClient) {
  return client.transcript.map(({ turnId, speaker, text, final }) => ({ turnId, speaker, text, final }));
}

describe('InterviewClient text interview', () => {
  afterEach(() => closeClients());

  it('runs a whole interview by text, to completion', async function () {
    this.timeout(60_000);
    const session = await newSession();
    const { client, states } = clientFor(session);
    const completed: unknown[] = [];
    client.addEventListener('completed', (event) => completed.push(event.detail));
    const turns: Turn[] = [];
    client.addEventListener('state', (event) => {
      if (turns.at(-1) !== event.detail.turn) turns.push(event.detail.turn);
    });

    await client.load();
    await client.start();
    expect(client.state.status).to.equal('live');
    await untilCandidateTurn(client);
    expect(client.transcript, 'the greeting and the first question').to.have.length(1);
    expect(client.transcript[0]).to.include({ speaker: 'interviewer', final: true });
    expect(client.transcript[0]!.text).to.contain('Tell me about a component you are proud of.');

    // The platform sends `state` only on changes; in between, the client counts down by itself.
    const before = client.state.timeLeftSeconds!;
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(before - client.state.timeLeftSeconds!).to.be.within(1, 3);

    for (const answer of answers) {
      await untilCandidateTurn(client);
      await client.sendText(answer);
      expect(client.state.pendingAnswers).to.equal(0);
    }
    await untilState(client, (s) => s.status === 'completed', 'the end of the interview');

    expect(statusesOf(states)).to.deep.equal(['loading', 'ready', 'connecting', 'live', 'completed']);
    expect(completed).to.deep.equal([{ interviewId: session.interviewId, reason: 'questions_done' }]);
    expect(client.state.completion).to.deep.equal({
      interviewId: session.interviewId,
      reason: 'questions_done',
    });
    expect(client.state.turn).to.equal('none');
    expect(turns).to.include.members(['interviewer', 'candidate']);
    expect(turns.at(-1)).to.equal('none');

    const mine = captions(client);
    expect(
      mine.every((entry) => entry.final),
      JSON.stringify(mine, null, 1),
    ).to.equal(true);
    expect(mine.filter((entry) => entry.speaker === 'candidate').map((entry) => entry.text)).to.deep.equal(
      answers,
    );
    expect(mine.map((entry) => entry.speaker)).to.deep.equal([
      'interviewer', // greeting and question 1
      'candidate',
      'interviewer', // the follow-up a short answer gets
      'candidate',
      'interviewer', // question 2
      'candidate',
      'interviewer', // closing
    ]);

    const platform = await serverTranscript(session.interviewId);
    expect(platform.status).to.equal('completed');
    expect(
      platform.turns.map((turn) => ({
        turnId: turn.id,
        speaker: turn.speaker,
        text: turn.text,
        final: true,
      })),
      'the platform kept exactly what the candidate saw',
    ).to.deep.equal(mine);
  });

  it('dispatches typed events, and none after close()', async () => {
    const session = await newSession();
    const { client } = clientFor(session);
    const seen: string[] = [];
    client.addEventListener('state', (event) => seen.push(`state:${event.detail.status}`));
    client.addEventListener('transcript', (event) => seen.push(`transcript:${event.detail.speaker}`));
    await client.load();
    await client.start();
    await untilCandidateTurn(client);
    client.close();
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(seen.length, 'no events after close, not even the countdown').to.equal(count);
    expect(seen).to.include('transcript:interviewer');
  });

  it('ends the interview at the candidate’s request', async () => {
    const session = await newSession();
    const { client } = clientFor(session);
    await client.load();
    await client.start();
    await untilCandidateTurn(client);
    await client.end();
    expect(client.state.status).to.equal('completed');
    expect(client.state.completion).to.deep.equal({
      interviewId: session.interviewId,
      reason: 'candidate_ended',
    });
    const platform = await serverTranscript(session.interviewId);
    expect(platform.status).to.equal('completed');
    // The token died with the interview.
    const { client: again } = clientFor(session);
    const error = await again.load().catch((e: unknown) => e);
    expect(again.state.error?.code, String(error)).to.equal('session_invalid');
  });

  it('ends once when asked twice at once, and stays completed', async () => {
    const session = await newSession();
    const { client, states } = clientFor(session);
    const errors: unknown[] = [];
    client.addEventListener('error', (event) => errors.push(event.detail));
    await client.load();
    await client.start();
    await untilCandidateTurn(client);
    // The second would have found the token dead (401) and turned the completed interview into an error.
    await Promise.all([client.end(), client.end()]);
    await client.end();
    expect(client.state.status).to.equal('completed');
    expect(statusesOf(states).at(-1)).to.equal('completed');
    expect(errors).to.deep.equal([]);
  });

  it('refuses a blank answer without sending it', async () => {
    const session = await newSession();
    const { client } = clientFor(session);
    await client.load();
    await client.start();
    const error = await client.sendText('   ').catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal('answer_rejected');
    expect(client.state.pendingAnswers).to.equal(0);
  });

  it('a refused answer is answer_rejected, and the interview goes on', async () => {
    const session = await newSession();
    const { client } = clientFor(session);
    await client.load();
    await client.start();
    await untilCandidateTurn(client);
    const error = await client.sendText('x'.repeat(5001)).catch((e: unknown) => e);
    expect((error as { code?: string }).code, String(error)).to.equal('answer_rejected');
    expect(client.state.status).to.equal('live');
    expect(client.state.error?.code).to.equal('answer_rejected');
    expect(client.state.pendingAnswers).to.equal(0);
    await client.sendText(
      'A shorter answer about the date picker I rebuilt for keyboard and screen reader users.',
    );
    expect(client.state.error).to.equal(null);
  });
});
