import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveKitConnectOrigins } from '../../src/livekit/page-origins.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { openSession } from '../support/sessions.ts';

/**
 * `POST /v1/session/livekit` and the transports `GET /v1/session` offers. The agent that joins the room is
 * tested in livekit-agent.test.ts; here the endpoint, its token, and the record that an agent is wanted.
 */
const livekitEnv = {
  LIVEKIT_URL: 'wss://livekit.acme.example',
  LIVEKIT_API_KEY: 'APIwQm4s7UhX3pT',
  LIVEKIT_API_SECRET: 'tkUQy0XKpFJ8sWbLzR2c6vNnEa9dHoMg',
  // The agents are tested apart, with a room of their own.
  VIVA_LIVEKIT_AGENT_WORKER: 'false',
};

let withLiveKit: TestPlatform;
let without: TestPlatform;
let fake: FakeOpenAi;
let api: ApiClient;
let plainApi: ApiClient;
let tenant: TestTenant;
let plainTenant: TestTenant;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  const providers = { STT_BASE_URL: fake.baseUrl, STT_API_KEY: 'sk-fake', VIVA_SCORING_WORKER: 'false' };
  [withLiveKit, without] = await Promise.all([
    startTestPlatform({ ...providers, ...livekitEnv }),
    startTestPlatform(providers),
  ]);
  api = apiClient(withLiveKit.url);
  plainApi = apiClient(without.url);
  [tenant, plainTenant] = await Promise.all([createTestTenant(api), createTestTenant(plainApi)]);
});
afterAll(async () => {
  await Promise.all([withLiveKit?.stop(), without?.stop()]);
  await fake?.stop();
});

const join = (client: ApiClient, token: string, headers: Record<string, string> = {}) =>
  client.call<Record<string, string>>('POST', '/v1/session/livekit', { key: token, headers });

async function agentRows(interviewId: string) {
  const em = withLiveKit.platform.services.db.orm.em.fork();
  return em
    .getConnection()
    .execute<{ room: string; ended_at: Date | null; holder: string | null }[]>(
      'select room, ended_at, holder from interview_agents where interview_id = ?',
      [interviewId],
    );
}

describe('POST /v1/session/livekit', () => {
  it('mints a room token for the candidate, and asks for the interviewer agent to join', async () => {
    const { interviewId, token } = await openSession(api, tenant.liveKey);
    const session = await api.call('GET', '/v1/session', { key: token });
    expect(session.body, describeResponse(session)).toMatchObject({
      transports: ['http', 'livekit'],
      answer_modes: ['text', 'audio'],
    });

    const res = await join(api, token);
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toEqual({
      object: 'livekit_session',
      url: 'wss://livekit.acme.example',
      room: `viva-${interviewId}`,
      identity: `candidate-${interviewId}`,
      token: expect.any(String),
      expires_at: expect.any(String),
    });
    const { payload, protectedHeader } = await jwtVerify(
      res.body.token!,
      new TextEncoder().encode(livekitEnv.LIVEKIT_API_SECRET),
      { issuer: livekitEnv.LIVEKIT_API_KEY, subject: `candidate-${interviewId}`, algorithms: ['HS256'] },
    );
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.video).toEqual({
      roomJoin: true,
      room: `viva-${interviewId}`,
      canPublish: true,
      canSubscribe: true,
      canPublishData: false,
      canPublishSources: ['microphone'],
      canUpdateOwnMetadata: false,
    });
    expect(payload.exp! - payload.nbf!).toBe(600);
    expect(new Date(res.body.expires_at!).getTime()).toBe(payload.exp! * 1000);
    expect(Math.abs(payload.nbf! * 1000 - Date.now())).toBeLessThan(5000);
    expect(await agentRows(interviewId)).toEqual([
      { room: `viva-${interviewId}`, ended_at: null, holder: null },
    ]);

    // Again (a reconnect): the same room, and still one agent wanted.
    const again = await join(api, token);
    expect(again.status, describeResponse(again)).toBe(200);
    expect(again.body.room).toBe(res.body.room);
    expect(await agentRows(interviewId)).toHaveLength(1);
  });

  it('wants the agent again after it left the room', async () => {
    const { interviewId, token } = await openSession(api, tenant.liveKey);
    expect((await join(api, token)).status).toBe(200);
    const db = withLiveKit.platform.services.db.orm.em.fork().getConnection();
    await db.execute(
      `update interview_agents set ended_at = now(), end_reason = 'candidate_absent' where interview_id = ?`,
      [interviewId],
    );
    expect((await join(api, token)).status).toBe(200);
    expect(await agentRows(interviewId)).toEqual([
      { room: `viva-${interviewId}`, ended_at: null, holder: null },
    ]);
  });

  it("keeps the silence that ends an answer for the agent, within the widget's bounds", async () => {
    const silenceOf = async (interviewId: string) => {
      const rows = await withLiveKit.platform.services.db.orm.em
        .fork()
        .getConnection()
        .execute<{ silence_ms: number | null }[]>(
          'select silence_ms from interview_agents where interview_id = ?',
          [interviewId],
        );
      return rows.map((r) => r.silence_ms);
    };
    const { interviewId, token } = await openSession(api, tenant.liveKey);
    for (const silence_ms of [299, 10_001, 1800.5, '1800', null]) {
      const res = await api.call('POST', '/v1/session/livekit', { key: token, body: { silence_ms } });
      expect(res.status, describeResponse(res)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body, describeResponse(res)).toMatchObject({
        type: 'urn:viva:error:invalid_request',
        status: 400,
        code: 'invalid_request',
        errors: [{ pointer: '/body/silence_ms' }],
      });
    }
    // Nothing of a refused request stays behind.
    expect(await silenceOf(interviewId)).toEqual([]);

    for (const silence_ms of [300, 10_000]) {
      const other = await openSession(api, tenant.liveKey);
      const bound = await api.call('POST', '/v1/session/livekit', { key: other.token, body: { silence_ms } });
      expect(bound.status, describeResponse(bound)).toBe(200);
      expect(await silenceOf(other.interviewId)).toEqual([silence_ms]);
    }
    const res = await api.call('POST', '/v1/session/livekit', { key: token, body: { silence_ms: 900 } });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(await silenceOf(interviewId)).toEqual([900]);
    // While the agent is wanted, a repeated request changes nothing: the agent listens as it began.
    const again = await api.call('POST', '/v1/session/livekit', { key: token, body: { silence_ms: 2500 } });
    expect(again.status, describeResponse(again)).toBe(200);
    expect(await silenceOf(interviewId)).toEqual([900]);
    // Left out, the agent's default (1800 ms) applies.
    const plain = await openSession(api, tenant.liveKey);
    expect((await join(api, plain.token)).status).toBe(200);
    expect(await silenceOf(plain.interviewId)).toEqual([null]);
  });

  it('replays its first response for a repeated Idempotency-Key', async () => {
    const { token } = await openSession(api, tenant.liveKey);
    const headers = { 'idempotency-key': 'livekit-join-1' };
    const first = await join(api, token, headers);
    const replay = await join(api, token, headers);
    expect(replay.status, describeResponse(replay)).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    // The room token is a credential: the stored replay is sealed with the session token, so a dump of the
    // replays holds no usable room token.
    const { token: roomToken } = first.body as { token: string };
    const rows = await withLiveKit.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute('select * from idempotency_keys');
    expect(JSON.stringify(rows)).not.toContain(roomToken);
  });

  it('is 409 transport_unavailable for a text-only interview (test mode), and offers no room', async () => {
    const { interviewId, token } = await openSession(api, tenant.testKey);
    const session = await api.call('GET', '/v1/session', { key: token });
    expect(session.body).toMatchObject({ transports: ['http'], answer_modes: ['text'] });
    const res = await join(api, token);
    expect(res.status, describeResponse(res)).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'urn:viva:error:transport_unavailable',
      title: 'Transport unavailable',
      status: 409,
      code: 'transport_unavailable',
    });
    expect(await agentRows(interviewId)).toEqual([]);
  });

  it('is 409 transport_unavailable when no LiveKit server is configured', async () => {
    const { token } = await openSession(plainApi, plainTenant.liveKey);
    const session = await plainApi.call('GET', '/v1/session', { key: token });
    expect(session.body).toMatchObject({ transports: ['http'] });
    const res = await join(plainApi, token);
    expect(res.status, describeResponse(res)).toBe(409);
    expect(res.body).toMatchObject({ code: 'transport_unavailable' });
    expect(String(res.body.detail)).toMatch(/no LiveKit server/);
  });

  it('takes only a session token, from an allowed origin, for a live interview', async () => {
    const { token, interviewId } = await openSession(api, tenant.liveKey, undefined, {
      allowed_origins: ['https://careers.acme.example'],
    });
    const none = await api.call('POST', '/v1/session/livekit');
    expect(none.status, describeResponse(none)).toBe(401);
    expect(none.body).toMatchObject({ code: 'invalid_session_token' });
    const secret = await join(api, tenant.liveKey);
    expect(secret.status, describeResponse(secret)).toBe(401);
    const elsewhere = await join(api, token, { origin: 'https://evil.example' });
    expect(elsewhere.status, describeResponse(elsewhere)).toBe(403);
    expect(elsewhere.body).toMatchObject({ code: 'origin_not_allowed' });
    const body = await api.call('POST', '/v1/session/livekit', { key: token, body: { room: 'other' } });
    expect(body.status, describeResponse(body)).toBe(400);
    expect(await agentRows(interviewId)).toEqual([]);

    const canceled = await api.call('POST', `/v1/interviews/${interviewId}/cancel`, { key: tenant.liveKey });
    expect(canceled.status, describeResponse(canceled)).toBe(200);
    const ended = await join(api, token, { origin: 'https://careers.acme.example' });
    expect(ended.status, describeResponse(ended)).toBe(401);
    expect(await agentRows(interviewId)).toEqual([]);
  });
});

describe('pages hosting the widget, with LiveKit', () => {
  it("let the join page's widget reach the LiveKit server, and nothing else", async () => {
    const policyOf = async (platform: TestPlatform) => {
      const res = await fetch(`${platform.url}/join`);
      expect(res.status).toBe(200);
      const policy = res.headers.get('content-security-policy') ?? '';
      return policy
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .find(([name]) => name === 'connect-src')
        ?.slice(1);
    };
    expect(await policyOf(withLiveKit)).toEqual([
      "'self'",
      'wss://livekit.acme.example',
      'https://livekit.acme.example',
    ]);
    expect(await policyOf(without)).toEqual(["'self'"]);
  });

  it('name a development server by its plain origins', () => {
    expect(liveKitConnectOrigins('ws://127.0.0.1:7880')).toEqual([
      'ws://127.0.0.1:7880',
      'http://127.0.0.1:7880',
    ]);
    expect(liveKitConnectOrigins('https://lk.example:8443/')).toEqual([
      'wss://lk.example:8443',
      'https://lk.example:8443',
    ]);
    expect(liveKitConnectOrigins(null)).toEqual([]);
  });

  it("let LiveKit Cloud's client fail over to the project's regional hosts", () => {
    // livekit-client joins `<project>.<region>.production.livekit.cloud` when the project's host fails.
    expect(liveKitConnectOrigins('wss://acme-x1y2z3.livekit.cloud')).toEqual([
      'wss://acme-x1y2z3.livekit.cloud',
      'https://acme-x1y2z3.livekit.cloud',
      'wss://*.livekit.cloud',
      'https://*.livekit.cloud',
    ]);
    expect(liveKitConnectOrigins('wss://acme.livekit.run')).toEqual([
      'wss://acme.livekit.run',
      'https://acme.livekit.run',
      'wss://*.livekit.run',
      'https://*.livekit.run',
    ]);
    // Not LiveKit Cloud, though the name ends alike.
    expect(liveKitConnectOrigins('wss://notlivekit.cloud')).toEqual([
      'wss://notlivekit.cloud',
      'https://notlivekit.cloud',
    ]);
  });
});

describe('LiveKit settings', () => {
  it('never show the API secret in a response or a log line', async () => {
    const { token } = await openSession(api, tenant.liveKey);
    const res = await join(api, token);
    expect(res.text).not.toContain(livekitEnv.LIVEKIT_API_SECRET);
    const metrics = await api.call('GET', '/metrics');
    expect(metrics.text).not.toContain(livekitEnv.LIVEKIT_API_SECRET);
  });
});
