import { expect } from '@open-wc/testing';
import type { SessionFixture } from '../support/protocol.ts';
import {
  clientFor,
  closeClients,
  newSession,
  proxy,
  proxyLog,
  serverTranscript,
  untilCandidateTurn,
} from './platform.ts';

async function requests(session: SessionFixture, method: string, path: string) {
  return (await proxyLog(session)).filter((e) => e.method === method && e.path === path);
}

describe('InterviewClient retries', () => {
  afterEach(() => closeClients());

  it('retries a 503, waiting as long as Retry-After asks', async () => {
    const session = await newSession({ proxy: true });
    await proxy(session, {
      action: 'fail-next',
      method: 'GET',
      path: '/v1/session',
      status: 503,
      retryAfter: '1',
      count: 2,
    });
    const { client } = clientFor(session);
    const started = performance.now();
    await client.load();
    expect(performance.now() - started, 'two waits of a second each').to.be.greaterThan(1900);
    const gets = await requests(session, 'GET', '/v1/session');
    expect(gets.map((e) => e.outcome)).to.deep.equal(['failed', 'failed', 'forwarded']);
    expect(client.state.status).to.equal('ready');
  });

  it('retries a failed start with the same Idempotency-Key', async () => {
    const session = await newSession({ proxy: true });
    await proxy(session, { action: 'fail-next', method: 'POST', path: '/v1/session/start', status: 502 });
    const { client } = clientFor(session);
    await client.load();
    await client.start();
    const posts = await requests(session, 'POST', '/v1/session/start');
    expect(posts.map((e) => e.status)).to.deep.equal([502, 200]);
    expect(posts[0]!.idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.idempotencyKey).to.equal(posts[0]!.idempotencyKey);
  });

  it('keeps an answer through 429 and 500, sending it again with its key', async function () {
    this.timeout(30_000);
    const session = await newSession({ proxy: true });
    const { client } = clientFor(session);
    await client.load();
    await client.start();
    await untilCandidateTurn(client);
    await proxy(session, {
      action: 'fail-next',
      method: 'POST',
      path: '/v1/session/answers',
      status: 429,
      retryAfter: '1',
    });
    await proxy(session, { action: 'fail-next', method: 'POST', path: '/v1/session/answers', status: 500 });
    const answer =
      'I built the component library our three product teams share, with visual regression tests.';
    await client.sendText(answer);
    const posts = await requests(session, 'POST', '/v1/session/answers');
    expect(posts.map((e) => e.status)).to.deep.equal([429, 500, 202]);
    expect(new Set(posts.map((e) => e.idempotencyKey)).size, 'one key for the one answer').to.equal(1);
    const transcript = await serverTranscript(session.interviewId);
    expect(transcript.turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).to.deep.equal([
      answer,
    ]);
  });
});
