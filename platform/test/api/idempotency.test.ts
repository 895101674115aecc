import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimKey,
  completeKey,
  holdClaim,
  type IdempotencyClaim,
} from '../../src/idempotency/idempotency-store.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { within } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';
import { wavOfSilence } from '../support/wav.ts';

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
// Speech-to-text, so live interviews take audio answers: the uploads whose bodies are bytes, not JSON.
let fake: FakeOpenAi;
const heard = 'I would page the on-call engineer and roll back first.';

beforeAll(async () => {
  fake = await startFakeOpenAi({ transcript: () => heard });
  test = await startTestPlatform({ STT_BASE_URL: fake.baseUrl });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => {
  await test?.stop();
  await fake?.stop();
});

const candidate = { name: 'Grace Hopper', email: 'grace@example.com' };
const countCandidates = async (email: string) =>
  (
    await api.call<{ data: unknown[] }>(
      'GET',
      `/v1/candidates?email=${encodeURIComponent(email)}&limit=100`,
      { key: tenant.testKey },
    )
  ).body.data.length;

/** A started interview whose interviewer has asked the first question: the candidate may answer now. */
async function awaitingAnswer(key: string): Promise<{ interviewId: string; token: string }> {
  const session = await openSession(api, key);
  const started = await api.call('POST', '/v1/session/start', { key: session.token });
  expect(started.status, describeResponse(started)).toBe(200);
  const events = new SseClient(`${test.url}/v1/session/events`, session.token);
  await events.next((e) => e.event === 'state' && e.data.turn === 'candidate');
  events.close();
  return session;
}

const sendAudio = (token: string, audio: Buffer, idempotencyKey: string) =>
  api.call<{ turn_id: string; text: string }>('POST', '/v1/session/answers', {
    key: token,
    rawBody: new Uint8Array(audio),
    headers: { 'content-type': 'audio/wav' },
    idempotencyKey,
  });

const transcriptions = () => fake.requests.filter((r) => r.path.endsWith('/audio/transcriptions')).length;

async function candidateTurns(interviewId: string): Promise<{ id: string; text: string }[]> {
  const res = await api.call<{ turns: { id: string; speaker: string; text: string }[] }>(
    'GET',
    `/v1/interviews/${interviewId}/transcript`,
    { key: tenant.liveKey },
  );
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body.turns.filter((turn) => turn.speaker === 'candidate');
}

describe('Idempotency-Key', () => {
  it('replays the first response byte for byte, and creates nothing more', async () => {
    const first = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: candidate,
      idempotencyKey: 'replay-1',
    });
    const again = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: candidate,
      idempotencyKey: 'replay-1',
    });
    expect(first.status, describeResponse(first)).toBe(201);
    expect(again.status, describeResponse(again)).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await countCandidates(candidate.email)).toBe(1);
  });

  it('refuses the same key with a different body (422) and writes nothing', async () => {
    await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'A', email: 'a@x.io' },
      idempotencyKey: 'reuse-1',
    });
    const res = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'B', email: 'b@x.io' },
      idempotencyKey: 'reuse-1',
    });
    expect(res.status, describeResponse(res)).toBe(422);
    expect(res.body).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await countCandidates('b@x.io')).toBe(0);
  });

  it('replays a retry sent to the same route under another spelling of its path', async () => {
    const body = { name: 'Ada Slash', email: 'ada.slash@example.com' };
    const first = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body,
      idempotencyKey: 'spelling-1',
    });
    expect(first.status, describeResponse(first)).toBe(201);
    for (const path of ['/v1/candidates/', '/V1/CANDIDATES']) {
      const again = await api.call('POST', path, { key: tenant.testKey, body, idempotencyKey: 'spelling-1' });
      expect(again.status, `${path}: ${describeResponse(again)}`).toBe(201);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(await countCandidates(body.email)).toBe(1);
  });

  it('refuses the same key on another endpoint (422)', async () => {
    await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'C' },
      idempotencyKey: 'cross-1',
    });
    const res = await api.call('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'C' },
      idempotencyKey: 'cross-1',
    });
    expect(res.status, describeResponse(res)).toBe(422);
  });

  it('creates exactly one object from 50 parallel requests with one key; the rest are 409 or replays', async () => {
    const body = { name: 'Parallel Person', email: 'parallel@example.com' };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.call<{ id: string }>('POST', '/v1/candidates', {
          key: tenant.testKey,
          body,
          idempotencyKey: 'parallel-1',
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(','),
    ).toBe(true);
    const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    for (const conflict of responses.filter((r) => r.status === 409)) {
      expect(conflict.body).toMatchObject({ code: 'idempotency_key_in_use' });
    }
    expect(await countCandidates(body.email)).toBe(1);
  });

  it('replays a client error too, but not a validation failure (nothing ran)', async () => {
    const bad = { job_id: 'job_00000000000000000000000000', candidate_id: 'cand_00000000000000000000000000' };
    const first = await api.call('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: bad,
      idempotencyKey: 'err-1',
    });
    const again = await api.call('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: bad,
      idempotencyKey: 'err-1',
    });
    expect(first.status, describeResponse(first)).toBe(400);
    expect(again.text).toBe(first.text);
    const invalid = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: {},
      idempotencyKey: 'val-1',
    });
    expect(invalid.status).toBe(400);
    const fixed = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Fixed' },
      idempotencyKey: 'val-1',
    });
    expect(fixed.status, describeResponse(fixed)).toBe(201);
  });

  it('keeps keys apart per tenant and per mode', async () => {
    const other = await createTestTenant(api, 'Other');
    const a = await api.call<{ id: string }>('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Same' },
      idempotencyKey: 'shared',
    });
    const b = await api.call<{ id: string }>('POST', '/v1/candidates', {
      key: other.testKey,
      body: { name: 'Same' },
      idempotencyKey: 'shared',
    });
    const c = await api.call<{ id: string }>('POST', '/v1/candidates', {
      key: tenant.liveKey,
      body: { name: 'Same' },
      idempotencyKey: 'shared',
    });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(3);
  });

  it('accepts a key of 255 characters, on a secret-key route and on a session route', async () => {
    const key = 'k'.repeat(255);
    const first = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Long Key' },
      idempotencyKey: key,
    });
    const again = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'Long Key' },
      idempotencyKey: key,
    });
    expect(first.status, describeResponse(first)).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    // A session's keys are stored under the interview's id: the client's 255 characters must still fit.
    const { token } = await awaitingAnswer(tenant.testKey);
    const answer = { text: 'I would page the on-call engineer and roll back first.' };
    const answered = await api.call('POST', '/v1/session/answers', {
      key: token,
      body: answer,
      idempotencyKey: key,
    });
    const replayed = await api.call('POST', '/v1/session/answers', {
      key: token,
      body: answer,
      idempotencyKey: key,
    });
    expect(answered.status, describeResponse(answered)).toBe(202);
    expect(replayed.text).toBe(answered.text);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses an empty key (400) and runs nothing', async () => {
    const email = 'empty-key@example.com';
    const res = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { ...candidate, email },
      headers: { 'idempotency-key': '' },
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'Idempotency-Key' });
    expect(await countCandidates(email)).toBe(0);
  });

  it('keeps a session’s keys apart from the tenant’s, whatever the tenant’s key looks like', async () => {
    const { interviewId, token } = await awaitingAnswer(tenant.liveKey);
    // The tenant's key spelled like the interview's scoped one used to be stored.
    const ats = await api.call('POST', '/v1/candidates', {
      key: tenant.liveKey,
      body: { ...candidate, email: 'scoped@example.com' },
      idempotencyKey: `${interviewId}:answer-1`,
    });
    expect(ats.status, describeResponse(ats)).toBe(201);
    const answer = await api.call('POST', '/v1/session/answers', {
      key: token,
      body: { text: 'I would roll back first.' },
      idempotencyKey: 'answer-1',
    });
    expect(answer.status, describeResponse(answer)).toBe(202);
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses a key longer than 255 characters', async () => {
    const res = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'L' },
      idempotencyKey: 'k'.repeat(256),
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'Idempotency-Key' });
  });
});

describe('Idempotency-Key on audio answers (raw bodies)', () => {
  it('compares the bytes: other audio under the same key is 422, the same audio replays', async () => {
    const { interviewId, token } = await awaitingAnswer(tenant.liveKey);
    const audio = wavOfSilence(1000);
    // Same length and header, one sample one bit apart.
    const other = Buffer.from(audio);
    other[other.length - 1]! ^= 1;
    const before = transcriptions();

    const first = await sendAudio(token, audio, 'audio-1');
    expect(first.status, describeResponse(first)).toBe(202);
    const reused = await sendAudio(token, other, 'audio-1');
    expect(reused.status, describeResponse(reused)).toBe(422);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    const again = await sendAudio(token, audio, 'audio-1');
    expect(again.status, describeResponse(again)).toBe(202);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    expect(transcriptions() - before).toBe(1);
    expect(await candidateTurns(interviewId)).toEqual([
      expect.objectContaining({ id: first.body.turn_id, text: heard }),
    ]);
  });

  it('answers 409 while the first request with the key is still running, then replays its response', async () => {
    const { interviewId, token } = await awaitingAnswer(tenant.liveKey);
    const audio = wavOfSilence(1000);
    // The first answer's transcription is held at the speech-to-text server: past the key's claim, not done.
    let reached: () => void = () => undefined;
    let release: () => void = () => undefined;
    const transcribing = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    fake.setTranscript(async () => {
      reached();
      await released;
      return heard;
    });
    try {
      const first = sendAudio(token, audio, 'held-1');
      await within('the first answer to reach speech-to-text', transcribing);
      const second = await sendAudio(token, audio, 'held-1');
      expect(second.status, describeResponse(second)).toBe(409);
      expect(second.body).toMatchObject({ code: 'idempotency_key_in_use', status: 409 });
      expect(second.headers.get('retry-after')).toBe('1');

      release();
      const done = await first;
      expect(done.status, describeResponse(done)).toBe(202);
      const third = await sendAudio(token, audio, 'held-1');
      expect(third.status, describeResponse(third)).toBe(202);
      expect(third.text).toBe(done.text);
      expect(third.headers.get('idempotent-replayed')).toBe('true');
      expect(await candidateTurns(interviewId)).toEqual([
        expect.objectContaining({ id: done.body.turn_id, text: heard }),
      ]);
    } finally {
      release();
      fake.setTranscript(() => heard);
    }
  });
});

describe('an idempotency claim', () => {
  const owner = () => ({ tenantId: tenant.id, livemode: false });
  const em = () => test.platform.services.db.orm.em.fork();
  const claimed = (claim: IdempotencyClaim) => {
    if (claim.kind !== 'claimed') throw new Error(`not claimed: ${claim.kind}`);
    return claim.claimId;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('holds while its request runs, past its lock, and a retry meanwhile is in flight', async () => {
    const key = `held-${Date.now()}`;
    const first = claimed(await claimKey(em(), owner(), key, 'f', 1));
    const release = holdClaim(
      em(),
      owner(),
      key,
      first,
      (error) => {
        throw error;
      },
      1,
    );
    try {
      await sleep(1600);
      expect((await claimKey(em(), owner(), key, 'f', 1)).kind).toBe('in_flight');
    } finally {
      release();
    }
    expect(await completeKey(em(), owner(), key, first, 202, '{"first":true}')).toBe(true);
    expect(await claimKey(em(), owner(), key, 'f', 1)).toEqual({
      kind: 'replay',
      status: 202,
      body: '{"first":true}',
    });
  });

  it('of a request that stopped renewing it lapses; its late finish leaves the retry’s record alone', async () => {
    const key = `lapsed-${Date.now()}`;
    const crashed = claimed(await claimKey(em(), owner(), key, 'f', 1));
    await sleep(1200);
    const retry = claimed(await claimKey(em(), owner(), key, 'f', 1));
    expect(retry).not.toBe(crashed);
    expect(await completeKey(em(), owner(), key, crashed, 409, '{"late":true}')).toBe(false);
    expect((await claimKey(em(), owner(), key, 'f', 1)).kind).toBe('in_flight');
    expect(await completeKey(em(), owner(), key, retry, 202, '{"retry":true}')).toBe(true);
    expect(await claimKey(em(), owner(), key, 'f', 1)).toEqual({
      kind: 'replay',
      status: 202,
      body: '{"retry":true}',
    });
  });
});
