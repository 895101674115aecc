import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { candidateTurnAt, postAnswer, threeQuestionJob, transcriptOf } from '../support/interview-flow.ts';
import { openSession } from '../support/sessions.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * A job edited while one of its interviews runs: the edit applies to the interviews that start afterwards,
 * as the spec says, and the one under way goes on with the questions and the time it started with.
 */
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

describe('a job edited during an interview', () => {
  it('leaves the interview under way as it started, and changes the next one', async () => {
    const job = threeQuestionJob({ max_duration_seconds: 1200 });
    const { interviewId, token } = await openSession(api, tenant.testKey, job);
    let jobId = '';
    let candidateId = '';
    expect((await api.call('POST', '/v1/session/start', { key: token })).status).toBe(200);
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    try {
      await events.next(candidateTurnAt(0));
      await postAnswer(api, token);
      await events.next(candidateTurnAt(1));

      ({ job_id: jobId, candidate_id: candidateId } = (
        await api.call<{ job_id: string; candidate_id: string }>('GET', `/v1/interviews/${interviewId}`, {
          key: tenant.testKey,
        })
      ).body);
      // One question where there were three, and a shorter time: the interview is past the only question.
      const edited = await api.call('PATCH', `/v1/jobs/${jobId}`, {
        key: tenant.testKey,
        body: { questions: [{ text: 'Why this team?' }], settings: { max_duration_seconds: 300 } },
      });
      expect(edited.status, describeResponse(edited)).toBe(200);

      const session = await api.call<{ question_count: number; max_duration_seconds: number }>(
        'GET',
        '/v1/session',
        { key: token },
      );
      expect(session.body).toMatchObject({ question_count: 3, max_duration_seconds: 1200 });
      await postAnswer(api, token);
      const third = await events.next(candidateTurnAt(2));
      expect(third.data).toMatchObject({ question_count: 3 });
      expect(Number(third.data.time_left_seconds)).toBeGreaterThan(900);
      await postAnswer(api, token);
      await events.next((e) => e.event === 'interview.completed');
    } finally {
      events.close();
    }
    const turns = await transcriptOf(api, tenant.testKey, interviewId);
    const asked = turns.filter((turn) => turn.speaker === 'interviewer').map((turn) => turn.text);
    for (const question of job.questions) expect(asked.join('\n')).toContain(question.text);
    expect(asked.join('\n')).not.toContain('Why this team?');

    // The next interview of the job starts with the job as it is now.
    const interview = await api.call<{ id: string }>('POST', '/v1/interviews', {
      key: tenant.testKey,
      body: { job_id: jobId, candidate_id: candidateId },
    });
    expect(interview.status, describeResponse(interview)).toBe(201);
    const next = await api.call<{ token: string }>('POST', `/v1/interviews/${interview.body.id}/sessions`, {
      key: tenant.testKey,
      body: {},
    });
    const fresh = await api.call<{ question_count: number; max_duration_seconds: number }>(
      'GET',
      '/v1/session',
      {
        key: next.body.token,
      },
    );
    expect(fresh.body).toMatchObject({ question_count: 1, max_duration_seconds: 300 });
  });
});
