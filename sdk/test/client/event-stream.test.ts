import { expect } from '@open-wc/testing';
import type { SessionFixture } from '../support/protocol.ts';
import {
  clientFor,
  closeClients,
  newSession,
  proxy,
  proxyLog,
  statusesOf,
  until,
  untilCandidateTurn,
  untilState,
} from './platform.ts';

async function eventStreams(session: SessionFixture) {
  return (await proxyLog(session)).filter((e) => e.method === 'GET' && e.path === '/v1/session/events');
}

/** The global `fetch`, noting the signal of each event stream's request, to tell when one is let go. */
function observedFetch(signals: AbortSignal[]): typeof fetch {
  return (input, init) => {
    if (String(input).endsWith('/v1/session/events') && init?.signal) signals.push(init.signal);
    return fetch(input, init);
  };
}

async function liveThroughProxy(options: { heartbeatTimeoutMs?: number; signals?: AbortSignal[] } = {}) {
  const session = await newSession({ proxy: true });
  const { client, states } = clientFor(session, {
    ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
    ...(options.signals ? { fetch: observedFetch(options.signals) } : {}),
  });
  await client.load();
  await client.start();
  await untilCandidateTurn(client);
  return { session, client, states };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('InterviewClient event stream', () => {
  afterEach(() => closeClients());

  it('takes a connection that falls silent for dead, and reconnects after the last event', async function () {
    this.timeout(60_000);
    const { session, client, states } = await liveThroughProxy({ heartbeatTimeoutMs: 2000 });
    const before = (await eventStreams(session)).length;
    // Nothing reaches the page any more, not even the heartbeat, and nothing says so: a connection lost to
    // a NAT rebinding or a laptop's sleep.
    await proxy(session, { action: 'pause-events' });
    await untilState(client, (s) => s.status === 'reconnecting', 'reconnecting after the silence');
    await until(
      async () => (await eventStreams(session)).length > before,
      () => 'another connection',
    );
    await proxy(session, { action: 'resume-events' });
    await untilState(client, (s) => s.status === 'live', 'live again', 30_000);

    const streams = await eventStreams(session);
    expect(streams[0]!.lastEventId, 'the first stream starts from the beginning').to.equal(null);
    expect(
      streams.slice(before).map((e) => e.lastEventId),
      'each reconnect resumes after the last event',
    ).to.satisfy((ids: (string | null)[]) => ids.every((id) => id !== null && /^\d+-\d+$/.test(id)));
    expect(statusesOf(states)).to.include.members(['live', 'reconnecting']);
    expect(client.state.error).to.equal(null);
  });

  it('leaves a quiet connection open while its heartbeat comes', async function () {
    this.timeout(60_000);
    // Above the platform's 15-second heartbeat, and below the time waited here: without the heartbeat, the
    // connection would be taken for dead once.
    const { session, states } = await liveThroughProxy({ heartbeatTimeoutMs: 20_000 });
    await sleep(25_000);
    expect(statusesOf(states)).to.deep.equal(['loading', 'ready', 'connecting', 'live']);
    expect(await eventStreams(session)).to.have.length(1);
  });

  it('lets the stream go when the interview ended and its last event never came', async function () {
    this.timeout(60_000);
    const signals: AbortSignal[] = [];
    const { session, client } = await liveThroughProxy({ signals });
    // `interview.completed` never reaches the page (the platform could not publish it, say).
    await proxy(session, { action: 'pause-events' });
    await client.end();
    expect(client.state.status).to.equal('completed');
    await until(
      () => signals.at(-1)?.aborted === true,
      () => `the event stream let go; ${signals.length} requests`,
    );
    const streams = (await eventStreams(session)).length;
    await sleep(4000);
    expect((await eventStreams(session)).length, 'and not opened again').to.equal(streams);
  });

  it('after a completed state without interview.completed, learns how the interview ended', async function () {
    this.timeout(60_000);
    const signals: AbortSignal[] = [];
    const { session, client, states } = await liveThroughProxy({ signals });
    // The `state` of the end reaches the page; `interview.completed`, right behind it, never does.
    await proxy(session, {
      action: 'inject-event',
      event: 'state',
      data: {
        status: 'completed',
        question_index: 0,
        question_count: 2,
        time_left_seconds: 0,
        turn: 'none',
      },
    });
    await proxy(session, { action: 'pause-events' });
    const ended = await fetch(`${session.platformBase}/v1/session/end`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(ended.status, await ended.clone().text()).to.equal(200);

    await untilState(client, (s) => s.status === 'completed', 'the end of the interview', 20_000);
    expect(client.state.completion).to.deep.equal({
      interviewId: session.interviewId,
      reason: 'candidate_ended',
    });
    expect(client.state.error).to.equal(null);
    expect(statusesOf(states)).not.to.include('error');
    const asked = (await proxyLog(session)).filter((e) => e.method === 'GET' && e.path === '/v1/session');
    expect(
      asked.map((e) => e.status),
      'loaded, then asked how it ended',
    ).to.deep.equal([200, 401]);
    await until(
      () => signals.at(-1)?.aborted === true,
      () => `the event stream let go; ${signals.length} requests`,
    );
  });
});
