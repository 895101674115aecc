import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createCandidate, createInterview, createJob } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

type Interview = {
  id: string;
  status: string;
  job_id: string;
  candidate_id: string;
  expires_at: string;
  updated_at: string;
  canceled_at: string | null;
};

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

const sqlOf = (query: string, values: unknown[]) =>
  test.platform.services.db.orm.em.fork().getConnection().execute(query, values);

describe('interviews', () => {
  it('schedules an interview that expires in 7 days by default', async () => {
    const jobId = await createJob(api, tenant.testKey);
    const candidateId = await createCandidate(api, tenant.testKey);
    const res = await api.call<Interview>('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: { job_id: jobId, candidate_id: candidateId, external_id: 'app-1' },
    });
    expect(res.status, describeResponse(res)).toBe(201);
    expect(res.body).toMatchObject({
      object: 'interview',
      status: 'scheduled',
      job_id: jobId,
      candidate_id: candidateId,
    });
    const days = (Date.parse(res.body.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
  });

  it('reads an interview back exactly as it was created and as the list shows it', async () => {
    const jobId = await createJob(api, tenant.testKey);
    const candidateId = await createCandidate(api, tenant.testKey);
    const created = await api.call<Interview>('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: { job_id: jobId, candidate_id: candidateId, external_id: 'app-2', metadata: { stage: 'onsite' } },
    });
    expect(created.status, describeResponse(created)).toBe(201);
    const read = await api.call<Interview>('GET', `/v1/interviews/${created.body.id}`, {
      key: tenant.testKey,
    });
    expect(read.status, describeResponse(read)).toBe(200);
    expect(read.body).toEqual(created.body);
    // Times written by the database itself carry microseconds; both reads must round them alike.
    await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute(
        "update interviews set status = 'in_progress', started_at = now(), updated_at = now() where id = ?",
        [created.body.id],
      );
    const started = await api.call<Interview>('GET', `/v1/interviews/${created.body.id}`, {
      key: tenant.testKey,
    });
    const listed = await api.call<{ data: Interview[] }>('GET', `/v1/interviews?job_id=${jobId}`, {
      key: tenant.testKey,
    });
    expect(started.body).toMatchObject({ status: 'in_progress', metadata: { stage: 'onsite' } });
    expect(listed.body.data).toEqual([started.body]);
    const otherMode = await api.call('GET', `/v1/interviews/${created.body.id}`, { key: tenant.liveKey });
    expect(otherMode.status, describeResponse(otherMode)).toBe(404);
  });

  it('refuses a job or candidate this key cannot see (400 invalid_reference naming the field)', async () => {
    const other = await createTestTenant(api, 'Other');
    const foreignJob = await createJob(api, other.testKey);
    const candidateId = await createCandidate(api, tenant.testKey);
    const liveJob = await createJob(api, tenant.liveKey);
    for (const jobId of [foreignJob, liveJob]) {
      const res = await api.call('POST', '/v1/interviews', {
        key: tenant.testKey,
        body: { job_id: jobId, candidate_id: candidateId },
      });
      expect(res.status, describeResponse(res)).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_reference', param: 'job_id' });
    }
  });

  it('refuses an expiry in the past or too far ahead', async () => {
    const jobId = await createJob(api, tenant.testKey);
    const candidateId = await createCandidate(api, tenant.testKey);
    for (const expires_at of [
      new Date(Date.now() - 1000).toISOString(),
      new Date(Date.now() + 91 * 86_400_000).toISOString(),
    ]) {
      const res = await api.call('POST', '/v1/interviews', {
        key: tenant.testKey,
        body: { job_id: jobId, candidate_id: candidateId, expires_at },
      });
      expect(res.status, describeResponse(res)).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_request', param: 'expires_at' });
    }
  });

  it('cancels a scheduled interview once; a second cancel is 409', async () => {
    const { interviewId } = await createInterview(api, tenant.testKey);
    const res = await api.call<Interview>('POST', `/v1/interviews/${interviewId}/cancel`, {
      key: tenant.testKey,
    });
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.status).toBe('canceled');
    expect(res.body.canceled_at).not.toBeNull();
    const again = await api.call('POST', `/v1/interviews/${interviewId}/cancel`, { key: tenant.testKey });
    expect(again.status, describeResponse(again)).toBe(409);
    expect(again.body).toMatchObject({ code: 'invalid_state' });
  });

  it('reads a lapsed invitation as expired, filters by it, and will not cancel it', async () => {
    const { interviewId } = await createInterview(api, tenant.testKey);
    await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute("update interviews set expires_at = now() - interval '1 minute' where id = ?", [interviewId]);
    const read = await api.call<Interview>('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey });
    expect(read.body.status).toBe('expired');
    const expired = await api.call<{ data: Interview[] }>('GET', '/v1/interviews?status=expired', {
      key: tenant.testKey,
    });
    expect(expired.body.data.map((i) => i.id)).toContain(interviewId);
    const scheduled = await api.call<{ data: Interview[] }>(
      'GET',
      '/v1/interviews?status=scheduled&limit=100',
      { key: tenant.testKey },
    );
    expect(scheduled.body.data.map((i) => i.id)).not.toContain(interviewId);
    const cancel = await api.call('POST', `/v1/interviews/${interviewId}/cancel`, { key: tenant.testKey });
    expect(cancel.status, describeResponse(cancel)).toBe(409);
  });

  it('moves updated_at to the moment an interview expired as soon as it reads expired, and the sweep keeps it there', async () => {
    const { interviewId } = await createInterview(api, tenant.testKey);
    // Created two minutes ago, lapsed one minute ago, not swept yet.
    await sqlOf(
      "update interviews set updated_at = now() - interval '2 minutes', expires_at = now() - interval '1 minute' where id = ?",
      [interviewId],
    );
    const read = await api.call<Interview>('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey });
    expect(read.body, describeResponse(read)).toMatchObject({ status: 'expired' });
    expect(read.body.updated_at, describeResponse(read)).toBe(read.body.expires_at);
    const listed = await api.call<{ data: Interview[] }>('GET', `/v1/interviews?status=expired&limit=100`, {
      key: tenant.testKey,
    });
    expect(listed.body.data.find((i) => i.id === interviewId)).toEqual(read.body);

    await test.platform.services.engine.sweep();
    const swept = await api.call<Interview>('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey });
    expect(swept.body, describeResponse(swept)).toEqual(read.body);
    const events = await api.call<{ data: { type: string; data: { object: Interview } }[] }>(
      'GET',
      `/v1/events?interview_id=${interviewId}`,
      { key: tenant.testKey },
    );
    const expired = events.body.data.find((e) => e.type === 'interview.expired');
    expect(expired?.data.object, describeResponse(events)).toEqual(read.body);
  });

  it('filters by job and candidate, and refuses an unknown status', async () => {
    const { jobId, candidateId, interviewId } = await createInterview(api, tenant.testKey);
    const byJob = await api.call<{ data: Interview[] }>('GET', `/v1/interviews?job_id=${jobId}`, {
      key: tenant.testKey,
    });
    expect(byJob.body.data.map((i) => i.id)).toEqual([interviewId]);
    const byCandidate = await api.call<{ data: Interview[] }>(
      'GET',
      `/v1/interviews?candidate_id=${candidateId}`,
      { key: tenant.testKey },
    );
    expect(byCandidate.body.data.map((i) => i.id)).toEqual([interviewId]);
    const bad = await api.call('GET', '/v1/interviews?status=paused', { key: tenant.testKey });
    expect(bad.status, describeResponse(bad)).toBe(400);
  });

  it('filters by external_id, within the key’s mode', async () => {
    const schedule = async (key: string, externalId: string) => {
      const jobId = await createJob(api, key);
      const candidateId = await createCandidate(api, key);
      const res = await api.call<Interview>('POST', '/v1/interviews', {
        key,
        body: { job_id: jobId, candidate_id: candidateId, external_id: externalId },
      });
      expect(res.status, describeResponse(res)).toBe(201);
      return res.body.id;
    };
    const wanted = await schedule(tenant.testKey, 'ats-app-501');
    await schedule(tenant.testKey, 'ats-app-502');
    await schedule(tenant.liveKey, 'ats-app-501');
    const found = await api.call<{ data: (Interview & { external_id: string })[] }>(
      'GET',
      '/v1/interviews?external_id=ats-app-501',
      { key: tenant.testKey },
    );
    expect(found.status, describeResponse(found)).toBe(200);
    expect(found.body.data.map((i) => [i.id, i.external_id])).toEqual([[wanted, 'ats-app-501']]);
    const none = await api.call<{ data: Interview[] }>('GET', '/v1/interviews?external_id=ats-app-999', {
      key: tenant.testKey,
    });
    expect(none.body.data, describeResponse(none)).toEqual([]);
  });
});
