import { expect } from '@open-wc/testing';
import { InterviewClientError } from '../../src/client/interview-error.ts';
import type { InterviewError } from '../../src/client/types.ts';
import {
  clientFor,
  closeClients,
  expiredToken,
  newSession,
  proxy,
  proxyLog,
  statusesOf,
} from './platform.ts';

describe('InterviewClient load', () => {
  afterEach(() => closeClients());

  it('loads the session: idle, loading, ready', async () => {
    const session = await newSession();
    const { client, states } = clientFor(session);
    expect(client.state.status).to.equal('idle');
    const loaded = await client.load();
    expect(statusesOf(states)).to.deep.equal(['loading', 'ready']);
    expect(loaded.interview_id).to.equal(session.interviewId);
    expect(loaded.status).to.equal('scheduled');
    expect(loaded.answer_modes).to.deep.equal(['text']);
    expect(client.state.session).to.deep.equal(loaded);
    expect(client.state.questionCount).to.equal(2);
    expect(client.state.error).to.equal(null);
    expect(Object.isFrozen(client.state), 'the state is a frozen snapshot').to.equal(true);
    expect(Object.isFrozen(client.state.session)).to.equal(true);
  });

  it('a live session with speech-to-text takes audio answers', async () => {
    const session = await newSession({ live: true });
    const { client } = clientFor(session);
    const loaded = await client.load();
    expect(loaded.answer_modes).to.deep.equal(['text', 'audio']);
    expect(loaded.audio.accepted_types).to.include('audio/webm;codecs=opus');
  });

  async function loadFailure(
    token: string,
    apiBase?: string,
  ): Promise<{ error: InterviewError; thrown: unknown }> {
    const session = await newSession();
    const { client } = clientFor({ ...session, token, ...(apiBase ? { apiBase } : {}) });
    const errors: InterviewError[] = [];
    client.addEventListener('error', (event) => errors.push(event.detail));
    const thrown = await client.load().then(
      () => null,
      (error: unknown) => error,
    );
    expect(client.state.status).to.equal('error');
    expect(errors, JSON.stringify(errors)).to.have.length(1);
    expect(client.state.error).to.deep.equal(errors[0]);
    return { error: errors[0]!, thrown };
  }

  it('a malformed token is session_invalid, not worth retrying', async () => {
    const { error, thrown } = await loadFailure('not-a-session-token');
    expect(error.code).to.equal('session_invalid');
    expect(error.retryable).to.equal(false);
    expect(error.requestId, 'the platform request id, to quote').to.match(/^req_/);
    expect(thrown).to.be.instanceOf(InterviewClientError);
    expect((thrown as InterviewClientError).code).to.equal('session_invalid');
  });

  it('a tampered token is session_invalid', async () => {
    const session = await newSession();
    const [header, payload, signature] = session.token.split('.');
    const claims = JSON.parse(atob(payload!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<
      string,
      unknown
    >;
    claims.sub = 'int_06h0b46c98001bd6ajmghz4rc8';
    const forged = btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const { error } = await loadFailure(`${header}.${forged}.${signature}`);
    expect(error.code).to.equal('session_invalid');
  });

  it('an expired token is session_invalid', async function () {
    this.timeout(30_000);
    const session = await newSession();
    const { error } = await loadFailure(await expiredToken(session.interviewId));
    expect(error.code).to.equal('session_invalid');
  });

  it('a page on an origin the token does not allow gets origin_not_allowed', async () => {
    const session = await newSession({ allowedOrigins: ['https://careers.acme.example'] });
    const { client } = clientFor(session);
    const error = await client.load().then(
      () => null,
      (e: unknown) => e as InterviewClientError,
    );
    expect(error?.code).to.equal('origin_not_allowed');
    expect(client.state.error).to.include({ code: 'origin_not_allowed', retryable: false });
  });

  it('refuses a secret API key without sending it', async () => {
    const seen: string[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) seen.push(entry.name);
    });
    observer.observe({ type: 'resource' });
    const quiet = console.error;
    console.error = () => {};
    try {
      const { error } = await loadFailure('sk_test_0123456789abcdef');
      expect(error.code).to.equal('session_invalid');
    } finally {
      console.error = quiet;
      observer.disconnect();
    }
    expect(seen.filter((url) => url.includes('/v1/session'))).to.deep.equal([]);
  });

  it('refuses any sk_ key, white space around it too, with the words the element uses', async () => {
    const session = await newSession();
    const quiet = console.error;
    const logged: unknown[][] = [];
    console.error = (...args: unknown[]) => logged.push(args);
    const requested: string[] = [];
    try {
      for (const token of [' sk_live_0123456789abcdef\n', 'sk_0123456789abcdef']) {
        const { client } = clientFor(
          { ...session, token },
          {
            fetch: (input, init) => {
              requested.push(String(input));
              return fetch(input, init);
            },
          },
        );
        const thrown = await client.load().then(
          () => null,
          (error: unknown) => error as InterviewClientError,
        );
        expect(thrown?.code, token).to.equal('session_invalid');
        expect(client.state.error).to.include({ code: 'session_invalid', retryable: false });
      }
    } finally {
      console.error = quiet;
    }
    expect(requested, 'nothing sent').to.deep.equal([]);
    // Word for word what <ai-interview> logs (test/element/error.test.ts), as docs/embedding.md quotes it.
    const warning =
      '[viva] A secret API key was given instead of a session token, and nothing was sent. Mint a session token on your server (POST /v1/interviews/{id}/sessions) and give that instead.';
    expect(logged).to.deep.equal([[warning], [warning]]);
  });

  it('a platform that cannot be reached is a retryable network error; retry() then loads', async function () {
    this.timeout(60_000);
    const session = await newSession({ proxy: true });
    await proxy(session, { action: 'down' });
    const { client, states } = clientFor(session);
    const error = await client.load().then(
      () => null,
      (e: unknown) => e as InterviewClientError,
    );
    expect(error?.code).to.equal('network');
    expect(client.state.error?.retryable).to.equal(true);
    const refused = (await proxyLog(session)).filter((entry) => entry.outcome === 'refused');
    expect(refused.length, 'tried more than once before giving up').to.be.greaterThan(1);
    await proxy(session, { action: 'up' });
    await client.retry();
    expect(statusesOf(states)).to.deep.equal(['loading', 'error', 'loading', 'ready']);
    expect(client.state.error).to.equal(null);
  });
});
