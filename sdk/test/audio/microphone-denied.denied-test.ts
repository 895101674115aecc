import { expect } from '@open-wc/testing';
import type { InterviewClientError } from '../../src/client/interview-error.ts';
import type { InterviewError } from '../../src/client/types.ts';
import { clientFor, closeClients, newSession, untilCandidateTurn } from '../client/platform.ts';

/** Run by the `microphone-denied` group (web-test-runner.config.mjs): a Chromium that refuses the microphone. */
describe('InterviewClient microphone denied', () => {
  afterEach(() => closeClients());

  it('openMicrophone rejects with microphone_denied; the interview can still go on by text', async () => {
    const session = await newSession({ live: true });
    const { client } = clientFor(session);
    const errors: InterviewError[] = [];
    client.addEventListener('error', (event) => errors.push(event.detail));
    await client.load();
    const error = await client.openMicrophone().then(
      () => null,
      (e: unknown) => e as InterviewClientError,
    );
    expect(error?.code).to.equal('microphone_denied');
    expect(errors.map((e) => e.code)).to.deep.equal(['microphone_denied']);
    expect(client.state).to.include({ status: 'ready', listening: false });
    expect(client.state.error?.code).to.equal('microphone_denied');

    // Without the microphone, start() defaults to text answers.
    await client.start();
    expect(client.state).to.include({ status: 'live', listening: false, error: null });
    await untilCandidateTurn(client);
    await client.sendText('I built the date picker our teams share, and tested it with a screen reader.');
  });

  it('start({ voice: true }) without the microphone fails with microphone_denied, before starting', async () => {
    const session = await newSession({ live: true });
    const { client } = clientFor(session);
    const errors: InterviewError[] = [];
    client.addEventListener('error', (event) => errors.push(event.detail));
    await client.load();
    const error = await client.start({ voice: true }).then(
      () => null,
      (e: unknown) => e as InterviewClientError,
    );
    expect(error?.code).to.equal('microphone_denied');
    expect(client.state.status).to.equal('error');
    expect(
      errors.map((e) => e.code),
      'reported once',
    ).to.deep.equal(['microphone_denied']);
    expect(client.state.session?.status, 'the interview did not start').to.equal('scheduled');
  });
});
