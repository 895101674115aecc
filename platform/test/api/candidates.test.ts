import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

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
