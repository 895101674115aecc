import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type ChildWorker, startChildWorker } from '../support/child-worker.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { redisUrl, startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { sql, until } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';

/**
 * `viva worker` runs interviewer agents with the real rtc-node adapter. No LiveKit server can run here, so
 * LIVEKIT_URL points at a server that refuses every token, as LiveKit does a bad one: the worker process
 * claims the interview, its agent dials the server with the interviewer's token, is refused, and lets go
 * of the claim to try again later.
 */

const secret = 'tkUQy0XKpFJ8sWbLzR2c6vNnEa9dHoMg';
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let fake: FakeOpenAi;
let livekit: Server;
let livekitUrl: string;
const dialled: { path: string; token: string | null }[] = [];
let worker: ChildWorker | null = null;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  livekit = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://livekit');
    // rtc-node sends the token as a bearer credential (older clients put it in the query).
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    dialled.push({ path: url.pathname, token: bearer ?? url.searchParams.get('access_token') });
    res.writeHead(401).end('invalid token');
  });
  livekit.listen(0, '127.0.0.1');
  await once(livekit, 'listening');
  livekitUrl = `ws://127.0.0.1:${(livekit.address() as AddressInfo).port}`;
  const env = {
    LIVEKIT_URL: livekitUrl,
    LIVEKIT_API_KEY: 'APIwQm4s7UhX3pT',
    LIVEKIT_API_SECRET: secret,
    STT_BASE_URL: fake.baseUrl,
    STT_API_KEY: 'sk-fake',
  };
  test = await startTestPlatform({
    ...env,
    VIVA_LIVEKIT_AGENT_WORKER: 'false',
    VIVA_SCORING_WORKER: 'false',
  });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
  const s3 = test.s3!;
  worker = await startChildWorker({
    ...env,
    DATABASE_URL: test.databaseUrl!,
    REDIS_URL: redisUrl,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    NODE_ENV: 'production',
  });
});
afterAll(async () => {
  await worker?.stop();
  await test?.stop();
  livekit?.close();
  await fake?.stop();
});

describe('viva worker with LiveKit', () => {
  it("claims a wanted agent, dials the room with the interviewer's token, and backs off when refused", async () => {
    const { interviewId, token } = await openSession(api, tenant.liveKey);
    const res = await api.call('POST', '/v1/session/livekit', { key: token });
    expect(res.status, describeResponse(res)).toBe(200);

    await until('the agent dials LiveKit', async () => dialled.some((d) => d.token));
    const agentToken = decodeJwt(dialled.find((d) => d.token)!.token!);
    expect(agentToken).toMatchObject({
      iss: 'APIwQm4s7UhX3pT',
      sub: 'interviewer',
      kind: 'agent',
      video: { room: `viva-${interviewId}`, roomJoin: true, canPublishData: true },
    });
    expect(dialled.some((d) => d.path.startsWith('/rtc'))).toBe(true);

    // Refused: the claim is let go, with a wait before the next attempt, and the agent is still wanted.
    await until('the claim is let go', async () => {
      const [row] = await sql<{ holder: string | null; attempts: number }>(
        test.databaseUrl!,
        'select holder, attempts from interview_agents where interview_id = $1',
        [interviewId],
      );
      return row?.holder === null && row.attempts === 1;
    });
    const [row] = await sql<{ attempts: number; ended_at: Date | null; retry_in: number }>(
      test.databaseUrl!,
      `select attempts, ended_at, extract(epoch from lease_until - now()) as retry_in
         from interview_agents where interview_id = $1`,
      [interviewId],
    );
    expect(row).toMatchObject({ attempts: 1, ended_at: null });
    expect(Number(row!.retry_in)).toBeGreaterThan(0);
    expect(worker!.stderr()).toBe('');
  });
});
