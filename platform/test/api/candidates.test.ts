import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishBlobErasures } from '../../src/candidates/candidates.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createCandidate, createInterview, createJob } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';
import { startTcpSwitch } from '../support/tcp-switch.ts';

type Resume = { filename: string; content_type: string; size: number; url: string; url_expires_at: string };
type Candidate = { id: string; name: string; email: string | null; resume: Resume | null };

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 7)]);

async function newCandidate(): Promise<Candidate> {
  const res = await api.call<Candidate>('POST', '/v1/candidates', {
    key: tenant.testKey,
    body: { name: 'Ada Lovelace', email: 'ada@example.com', metadata: { source: 'referral' } },
  });
  expect(res.status, describeResponse(res)).toBe(201);
  return res.body;
}

const upload = (id: string, body: Buffer, type: string, filename = 'ada.pdf') =>
  api.call<Candidate>('PUT', `/v1/candidates/${id}/resume?filename=${filename}`, {
    key: tenant.testKey,
    rawBody: new Uint8Array(body),
    headers: { 'content-type': type },
  });

describe('candidates', () => {
  it('refuses an invalid email', async () => {
    const res = await api.call('POST', '/v1/candidates', {
      key: tenant.testKey,
      body: { name: 'X', email: 'not-an-email' },
    });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'email' });
  });

  it('keeps a resume as a blob and hands out a short-lived link that downloads it', async () => {
    const candidate = await newCandidate();
    const res = await upload(candidate.id, pdf, 'application/pdf');
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.resume).toMatchObject({
      filename: 'ada.pdf',
      content_type: 'application/pdf',
      size: pdf.length,
    });
    const download = await fetch(res.body.resume!.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('refuses a resume of another type (415), an empty one (400) and an oversize one (413)', async () => {
    const candidate = await newCandidate();
    const wrongType = await upload(candidate.id, Buffer.from('<html>'), 'text/html');
    expect(wrongType.status, describeResponse(wrongType)).toBe(415);
    const empty = await upload(candidate.id, Buffer.alloc(0), 'application/pdf');
    expect(empty.status, describeResponse(empty)).toBe(400);
    const huge = await upload(candidate.id, Buffer.alloc(10 * 1024 * 1024 + 1), 'application/pdf');
    expect(huge.status, describeResponse(huge)).toBe(413);
    const read = await api.call<Candidate>('GET', `/v1/candidates/${candidate.id}`, { key: tenant.testKey });
    expect(read.body.resume).toBeNull();
  });

  it('exports everything held about a candidate', async () => {
    const { candidateId, interviewId } = await createInterview(api, tenant.testKey);
    const res = await api.call<{ object: string; candidate: Candidate; interviews: { id: string }[] }>(
      'GET',
      `/v1/candidates/${candidateId}/export`,
      { key: tenant.testKey },
    );
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.object).toBe('candidate_export');
    expect(res.body.candidate.id).toBe(candidateId);
    expect(res.body.interviews.map((i) => i.id)).toEqual([interviewId]);
  });

  it('exports only to a key that may read interviews too: the export holds transcripts and scorecards', async () => {
    const { candidateId } = await createInterview(api, tenant.testKey);
    const keyWith = async (scopes: string[]) => {
      const res = await api.call<{ secret: string }>('POST', '/v1/api_keys', {
        key: tenant.testKey,
        body: { name: scopes.join(' '), scopes },
      });
      expect(res.status, describeResponse(res)).toBe(201);
      return res.body.secret;
    };
    const exportWith = async (key: string) =>
      api.call('GET', `/v1/candidates/${candidateId}/export`, { key });

    const candidatesOnly = await exportWith(await keyWith(['candidates:read']));
    expect(candidatesOnly.status, describeResponse(candidatesOnly)).toBe(403);
    expect(candidatesOnly.headers.get('content-type')).toContain('application/problem+json');
    expect(candidatesOnly.body, describeResponse(candidatesOnly)).toMatchObject({
      code: 'insufficient_scope',
      status: 403,
      detail: 'This API key lacks the "interviews:read" scope this request needs.',
    });
    const interviewsOnly = await exportWith(await keyWith(['interviews:read']));
    expect(interviewsOnly.status, describeResponse(interviewsOnly)).toBe(403);
    expect(interviewsOnly.body).toMatchObject({ code: 'insufficient_scope' });

    const both = await exportWith(await keyWith(['candidates:read', 'interviews:read']));
    expect(both.status, describeResponse(both)).toBe(200);
    const reader = await exportWith(await keyWith(['*:read']));
    expect(reader.status, describeResponse(reader)).toBe(200);
  });

  it('erases a candidate: personal data and resume gone, open interviews canceled', async () => {
    const { candidateId, interviewId } = await createInterview(api, tenant.testKey);
    const uploaded = await upload(candidateId, pdf, 'application/pdf');
    const link = uploaded.body.resume!.url;
    const res = await api.call('DELETE', `/v1/candidates/${candidateId}`, { key: tenant.testKey });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toEqual({ id: candidateId, object: 'candidate', deleted: true });
    expect((await api.call('GET', `/v1/candidates/${candidateId}`, { key: tenant.testKey })).status).toBe(
      404,
    );
    expect((await fetch(link)).status).toBe(404);
    const interview = await api.call<{ status: string }>('GET', `/v1/interviews/${interviewId}`, {
      key: tenant.testKey,
    });
    expect(interview.body.status).toBe('canceled');
    const row = await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute('select name, email, metadata, resume from candidates where id = ?', [candidateId]);
    expect(row[0]).toEqual({ name: null, email: null, metadata: {}, resume: null });
  });

  it('finishes an erasure whose files could not be deleted once storage is back', async () => {
    if (!test.s3) return; // the embedded backend keeps files in a local folder, which does not go away
    const storage = await startTcpSwitch(test.s3.endpoint);
    const flaky = await startTestPlatform(
      {},
      { s3: { ...test.s3, endpoint: storage.url, stop: async () => {} } },
    );
    try {
      const flakyApi = apiClient(flaky.url);
      const key = (await createTestTenant(flakyApi)).testKey;
      const created = await flakyApi.call<Candidate>('POST', '/v1/candidates', {
        key,
        body: { name: 'Ada' },
      });
      const uploaded = await flakyApi.call<Candidate>('PUT', `/v1/candidates/${created.body.id}/resume`, {
        key,
        rawBody: new Uint8Array(pdf),
        headers: { 'content-type': 'application/pdf' },
      });
      const link = uploaded.body.resume!.url;

      storage.off();
      const erased = await flakyApi.call('DELETE', `/v1/candidates/${created.body.id}`, { key });
      expect(erased.status, 'the erasure itself is done').toBe(200);
      expect((await flakyApi.call('GET', `/v1/candidates/${created.body.id}`, { key })).status).toBe(404);
      const owed = () =>
        flaky.platform.services.db.orm.em
          .fork()
          .getConnection()
          .execute('select blobs_erased_at from candidates where id = ?', [created.body.id]);
      expect((await owed())[0]).toEqual({ blobs_erased_at: null });

      storage.on();
      expect((await fetch(link)).status, 'the file outlived the failed deletion').toBe(200);
      const { services } = flaky.platform;
      expect(await finishBlobErasures(services.db.orm.em.fork(), services.blobs)).toBe(1);
      expect((await fetch(link)).status).toBe(404);
      expect((await owed())[0]!.blobs_erased_at).not.toBeNull();
      expect(await finishBlobErasures(services.db.orm.em.fork(), services.blobs)).toBe(0);
    } finally {
      await flaky.stop();
      await storage.close();
    }
  });

  it('forgets idempotent replays that would repeat an erased candidate', async () => {
    const body = { name: 'Grace Hopper', email: 'grace@example.com' };
    const first = await api.call<Candidate>('POST', '/v1/candidates', {
      key: tenant.testKey,
      body,
      idempotencyKey: 'candidate-grace',
    });
    expect(first.status, describeResponse(first)).toBe(201);
    const replay = await api.call<Candidate>('POST', '/v1/candidates', {
      key: tenant.testKey,
      body,
      idempotencyKey: 'candidate-grace',
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    await api.call('DELETE', `/v1/candidates/${first.body.id}`, { key: tenant.testKey });
    const after = await api.call<Candidate>('POST', '/v1/candidates', {
      key: tenant.testKey,
      body,
      idempotencyKey: 'candidate-grace',
    });
    expect(after.status, describeResponse(after)).toBe(201);
    expect(after.headers.get('idempotent-replayed'), 'not the erased candidate replayed').toBeNull();
    expect(after.body.id).not.toBe(first.body.id);
  });

  it('drops a resume whose upload finished after the candidate was erased', async () => {
    const candidate = await newCandidate();
    const { blobs } = test.platform.services;
    const put = blobs.put;
    let stored = '';
    let release = () => {};
    const reached = new Promise<void>((entered) => {
      // Holds the upload between the request and the write, the window an erasure can fall into.
      blobs.put = async (key, body, contentType) => {
        stored = key;
        entered();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return put.call(blobs, key, body, contentType);
      };
    });
    try {
      const uploading = upload(candidate.id, pdf, 'application/pdf');
      await reached;
      const erased = await api.call('DELETE', `/v1/candidates/${candidate.id}`, { key: tenant.testKey });
      expect(erased.status, describeResponse(erased)).toBe(200);
      release();
      const res = await uploading;
      expect(res.status, describeResponse(res)).toBe(404);
      expect(await blobs.get(stored), 'the late file is gone too').toBeNull();
      const row = await test.platform.services.db.orm.em
        .fork()
        .getConnection()
        .execute('select resume from candidates where id = ?', [candidate.id]);
      expect(row[0]).toEqual({ resume: null });
    } finally {
      blobs.put = put;
    }
  });

  it('schedules no interview for a candidate whose erasure commits first', async () => {
    if (!test.databaseUrl) return; // the embedded database takes one connection: no second transaction
    const jobId = await createJob(api, tenant.testKey);
    const candidateId = await createCandidate(api, tenant.testKey);
    // An erasure under way: its transaction holds the candidate's row.
    const eraser = new pg.Client({ connectionString: test.databaseUrl });
    await eraser.connect();
    try {
      await eraser.query('begin');
      await eraser.query('select id from candidates where id = $1 for update', [candidateId]);
      const scheduling = api.call('POST', '/v1/interviews', {
        key: tenant.testKey,
        body: { job_id: jobId, candidate_id: candidateId },
      });
      const deadline = Date.now() + 10_000;
      const waiting = async () =>
        Number(
          (
            await eraser.query(
              `select count(*) as n from pg_stat_activity
                where datname = current_database() and wait_event_type = 'Lock'`,
            )
          ).rows[0].n,
        ) > 0;
      while (!(await waiting())) {
        if (Date.now() > deadline)
          throw new Error('the interview was scheduled without waiting for the erasure');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await eraser.query('update candidates set deleted_at = now(), name = null where id = $1', [
        candidateId,
      ]);
      await eraser.query('commit');
      const res = await scheduling;
      expect(res.status, describeResponse(res)).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_reference', param: 'candidate_id' });
    } finally {
      await eraser.end();
    }
  });

  it('ends the session of a candidate erased in the middle of their interview', async () => {
    const session = await openSession(api, tenant.testKey);
    expect((await api.call('POST', '/v1/session/start', { key: session.token })).status).toBe(200);
    const events = new SseClient(`${test.url}/v1/session/events`, session.token);
    try {
      await events.next((e) => e.event === 'state' && e.data.turn === 'candidate');
      const interview = await api.call<{ candidate_id: string }>(
        'GET',
        `/v1/interviews/${session.interviewId}`,
        {
          key: tenant.testKey,
        },
      );
      const erased = await api.call('DELETE', `/v1/candidates/${interview.body.candidate_id}`, {
        key: tenant.testKey,
      });
      expect(erased.status, describeResponse(erased)).toBe(200);
      const ended = await events.next((e) => e.event === 'state' && e.data.status === 'canceled');
      expect(ended.data).toMatchObject({ status: 'canceled', turn: 'none' });
      await events.done; // the stream closes after the interview's last event
    } finally {
      events.close();
    }
  });

  it('filters by external_id, within the key’s mode', async () => {
    const create = async (key: string, name: string, externalId: string) => {
      const res = await api.call<Candidate>('POST', '/v1/candidates', {
        key,
        body: { name, external_id: externalId },
      });
      expect(res.status, describeResponse(res)).toBe(201);
      return res.body.id;
    };
    const wanted = await create(tenant.testKey, 'Katherine Johnson', 'ats-cand-301');
    await create(tenant.testKey, 'Dorothy Vaughan', 'ats-cand-302');
    await create(tenant.liveKey, 'Mary Jackson', 'ats-cand-301');
    const found = await api.call<{ data: (Candidate & { external_id: string })[] }>(
      'GET',
      '/v1/candidates?external_id=ats-cand-301',
      { key: tenant.testKey },
    );
    expect(found.status, describeResponse(found)).toBe(200);
    expect(found.body.data.map((c) => [c.id, c.external_id])).toEqual([[wanted, 'ats-cand-301']]);
    const none = await api.call<{ data: Candidate[] }>('GET', '/v1/candidates?external_id=ats-cand-999', {
      key: tenant.testKey,
    });
    expect(none.body.data, describeResponse(none)).toEqual([]);
  });
});
