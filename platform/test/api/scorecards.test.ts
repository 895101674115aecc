import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScoringWorker } from '../../src/scoring/scoring-worker.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { longAnswer, transcriptOf } from '../support/interview-flow.ts';
import { completedInterview, type ScorecardBody, scorecardOf, settledScorecard } from '../support/scoring.ts';

/**
 * Scorecards through the REST API, on the offline scorer (test mode). The platform runs without its own
 * scoring worker, so each test decides when scoring happens and can catch a scorecard still pending; the
 * worker it starts is the platform's real one, on the platform's own database.
 */
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let worker: ScoringWorker | null = null;

const job = {
  title: 'Senior Backend Engineer',
  description: 'Payments platform team.',
  questions: [
    { text: 'Tell me about a system you designed.' },
    { text: 'How do you handle an outage of a payment system?' },
  ],
  rubric: {
    dimensions: [
      {
        key: 'system_design',
        name: 'System design',
        description: 'Designs reliable systems: ledgers, idempotency, reconciliation, trade-offs.',
        weight: 2,
      },
      {
        key: 'incident_response',
        name: 'Incident response',
        description: 'Handles outages calmly.',
        weight: 1,
      },
    ],
  },
};
const outageAnswer =
  'During an outage I page the on-call engineer, stop the deploy pipeline, roll back the last change, and then write a blameless postmortem with the team the next morning.';

function startWorker(): void {
  const { services } = test.platform;
  worker = new ScoringWorker({
    orm: services.db.orm,
    logger: services.logger,
    config: services.config.scoring,
    model: services.providers.scoring,
    idleMs: 20,
  });
  worker.start();
}

beforeAll(async () => {
  test = await startTestPlatform({ VIVA_SCORING_WORKER: 'false' });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
});
afterAll(async () => {
  await test?.stop();
});

describe('scorecards', () => {
  it('scores a completed interview offline: weighted dimensions, real quotes, and a scorecard.completed event', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [
      longAnswer,
      outageAnswer,
    ]);
    const pending = await scorecardOf(api, tenant.testKey, interviewId);
    expect(pending).toMatchObject({
      object: 'scorecard',
      interview_id: interviewId,
      livemode: false,
      status: 'pending',
      trigger: 'interview_completed',
      score: null,
      recommendation: null,
      dimensions: [],
      model: null,
      attempts: 0,
    });
    expect(pending.id).toMatch(/^sc_[0-9a-z]{26}$/);

    startWorker();
    const card = await settledScorecard(api, tenant.testKey, interviewId);
    expect(card).toMatchObject({
      id: pending.id,
      status: 'completed',
      max_score: 5,
      model: 'offline',
      prompt_version: expect.stringMatching(/^offline-/),
      usage: { prompt_tokens: 0, completion_tokens: 0 },
      attempts: 1,
      failure: null,
      failed_at: null,
    });
    expect(card.summary).toMatch(/offline/i);
    expect(card.dimensions.map((d) => [d.key, d.name, d.weight])).toEqual([
      ['system_design', 'System design', 0.6667],
      ['incident_response', 'Incident response', 0.3333],
    ]);
    const weighted = card.dimensions.reduce((sum, d) => sum + d.score * d.weight, 0);
    expect(card.score).toBeCloseTo(weighted, 1);
    const expected =
      card.score! < 2 ? 'strong_no' : card.score! < 3 ? 'no' : card.score! < 4 ? 'yes' : 'strong_yes';
    expect(card.recommendation).toBe(expected);

    // Every quote is really in the candidate turn it cites.
    const turns = await transcriptOf(api, tenant.testKey, interviewId);
    const evidence = card.dimensions.flatMap((d) => d.evidence);
    expect(evidence.length).toBeGreaterThan(0);
    for (const { turn_id, quote } of evidence) {
      const turn = turns.find((t) => t.id === turn_id);
      expect(turn?.speaker).toBe('candidate');
      expect(turn?.text).toContain(quote);
    }

    const events = await api.call<{ data: { type: string; sequence: number; data: { object: unknown } }[] }>(
      'GET',
      `/v1/events?interview_id=${interviewId}`,
      { key: tenant.testKey },
    );
    expect(events.status, describeResponse(events)).toBe(200);
    const [latest, ...earlier] = events.body.data;
    expect(latest?.type).toBe('scorecard.completed');
    expect(latest?.data.object).toEqual(card);
    expect(earlier[0]?.type).toBe('interview.completed');
    expect(latest!.sequence).toBe(earlier[0]!.sequence + 1);
  });

  it('has no scorecard before the interview completes, and says why', async () => {
    const { interviewId } = await createInterview(api, tenant.testKey);
    const res = await api.call('GET', `/v1/interviews/${interviewId}/scorecard`, { key: tenant.testKey });
    expect(res.status, describeResponse(res)).toBe(404);
    expect(res.body).toMatchObject({ code: 'resource_missing', param: 'id' });
    expect(String(res.body.detail)).toContain('scoring starts when an interview completes');

    const history = await api.call<{ data: unknown[] }>('GET', `/v1/interviews/${interviewId}/scorecards`, {
      key: tenant.testKey,
    });
    expect(history.status).toBe(200);
    expect(history.body).toEqual({ object: 'list', data: [], has_more: false });

    const rescore = await api.call('POST', `/v1/interviews/${interviewId}/scorecard/rescore`, {
      key: tenant.testKey,
    });
    expect(rescore.status, describeResponse(rescore)).toBe(409);
    expect(rescore.body).toMatchObject({ code: 'invalid_state' });
    expect(String(rescore.body.detail)).toContain('only a completed interview can be scored');
  });

  it("hides other tenants' and the other mode's interviews", async () => {
    const { interviewId } = await createInterview(api, tenant.testKey);
    const other = await createTestTenant(api, 'Other ATS');
    for (const key of [other.testKey, tenant.liveKey]) {
      for (const [method, path] of [
        ['GET', 'scorecard'],
        ['GET', 'scorecards'],
        ['POST', 'scorecard/rescore'],
      ] as const) {
        const res = await api.call(method, `/v1/interviews/${interviewId}/${path}`, { key });
        expect(res.status, `${method} ${path}: ${describeResponse(res)}`).toBe(404);
        expect(res.body).toMatchObject({ code: 'resource_missing' });
      }
    }
    const unknown = await api.call('GET', '/v1/interviews/int_00000000000000000000000000/scorecard', {
      key: tenant.testKey,
    });
    expect(unknown.status).toBe(404);
  });

  it('rescores against the rubric as it is now, one run at a time, keeping the history', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [
      longAnswer,
      outageAnswer,
    ]);
    startWorker();
    const first = await settledScorecard(api, tenant.testKey, interviewId);
    await worker!.stop();
    worker = null;

    const jobId = (
      await api.call<{ job_id: string }>('GET', `/v1/interviews/${interviewId}`, { key: tenant.testKey })
    ).body.job_id;
    const edited = await api.call('PATCH', `/v1/jobs/${jobId}`, {
      key: tenant.testKey,
      body: {
        rubric: {
          dimensions: [
            ...job.rubric.dimensions,
            { key: 'communication', name: 'Communication', description: 'Explains clearly.', weight: 1 },
          ],
        },
      },
    });
    expect(edited.status, describeResponse(edited)).toBe(200);

    const [a, b] = await Promise.all([
      api.call<ScorecardBody>('POST', `/v1/interviews/${interviewId}/scorecard/rescore`, {
        key: tenant.testKey,
      }),
      api.call<ScorecardBody>('POST', `/v1/interviews/${interviewId}/scorecard/rescore`, {
        key: tenant.testKey,
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const queued = (a.status === 202 ? a : b).body;
    const refused = (a.status === 202 ? b : a).body as unknown as { code: string; detail: string };
    expect(queued).toMatchObject({ status: 'pending', trigger: 'rescore', interview_id: interviewId });
    expect(refused.code).toBe('invalid_state');
    expect(refused.detail).toContain(queued.id);

    startWorker();
    const second = await settledScorecard(api, tenant.testKey, interviewId);
    expect(second.id).toBe(queued.id);
    expect(second.dimensions.map((d) => [d.key, d.weight])).toEqual([
      ['system_design', 0.5],
      ['incident_response', 0.25],
      ['communication', 0.25],
    ]);

    const history = await api.call<{ data: ScorecardBody[] }>(
      'GET',
      `/v1/interviews/${interviewId}/scorecards`,
      {
        key: tenant.testKey,
      },
    );
    expect(history.body.data.map((s) => s.id)).toEqual([second.id, first.id]);
    // The first scorecard is as it was: a rubric edit does not rewrite history.
    expect(history.body.data[1]).toEqual(first);
    const page = await api.call<{ data: ScorecardBody[]; has_more: boolean }>(
      'GET',
      `/v1/interviews/${interviewId}/scorecards?limit=1`,
      { key: tenant.testKey },
    );
    expect(page.body.data.map((s) => s.id)).toEqual([second.id]);
    expect(page.body.has_more).toBe(true);
  });

  it('replays a rescore sent twice with one Idempotency-Key', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [
      longAnswer,
      outageAnswer,
    ]);
    startWorker();
    await settledScorecard(api, tenant.testKey, interviewId);
    await worker!.stop();
    worker = null;
    const send = () =>
      api.call<ScorecardBody>('POST', `/v1/interviews/${interviewId}/scorecard/rescore`, {
        key: tenant.testKey,
        idempotencyKey: `rescore-${interviewId}`,
      });
    const first = await send();
    const again = await send();
    expect(first.status, describeResponse(first)).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
  });

  it('fails a scorecard with transcript_empty when the candidate never answered, and says so in an event', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, []);
    startWorker();
    const card = await settledScorecard(api, tenant.testKey, interviewId);
    expect(card).toMatchObject({
      status: 'failed',
      score: null,
      recommendation: null,
      dimensions: [],
      failure: { code: 'transcript_empty' },
      completed_at: null,
    });
    expect(card.failed_at).not.toBeNull();
    const events = await api.call<{ data: { type: string; data: { object: unknown } }[] }>(
      'GET',
      `/v1/events?interview_id=${interviewId}&type=scorecard.failed`,
      { key: tenant.testKey },
    );
    expect(events.body.data.map((e) => e.type)).toEqual(['scorecard.failed']);
    expect(events.body.data[0]!.data.object).toEqual(card);
  });

  it('needs interviews:write to rescore and interviews:read to read', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [longAnswer]);
    const readOnly = await api.call<{ secret: string }>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'reader', scopes: ['interviews:read'] },
    });
    const jobsOnly = await api.call<{ secret: string }>('POST', '/v1/api_keys', {
      key: tenant.testKey,
      body: { name: 'jobs', scopes: ['jobs:read'] },
    });
    const read = await api.call('GET', `/v1/interviews/${interviewId}/scorecard`, {
      key: readOnly.body.secret,
    });
    expect(read.status, describeResponse(read)).toBe(200);
    const write = await api.call('POST', `/v1/interviews/${interviewId}/scorecard/rescore`, {
      key: readOnly.body.secret,
    });
    expect(write.status, describeResponse(write)).toBe(403);
    const none = await api.call('GET', `/v1/interviews/${interviewId}/scorecards`, {
      key: jobsOnly.body.secret,
    });
    expect(none.status, describeResponse(none)).toBe(403);
  });

  it('exports what was said and concluded, and erases it with the candidate, events that quote it too', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [longAnswer]);
    startWorker();
    const scorecard = await settledScorecard(api, tenant.testKey, interviewId);
    const interview = await api.call<{ candidate_id: string }>('GET', `/v1/interviews/${interviewId}`, {
      key: tenant.testKey,
    });
    const candidateId = interview.body.candidate_id;
    const scorecardEvents = async () => {
      const res = await api.call<{ data: { data: { object: { interview_id?: string } } }[] }>(
        'GET',
        '/v1/events?type=scorecard.completed&limit=100',
        { key: tenant.testKey },
      );
      return res.body.data.filter((event) => event.data.object.interview_id === interviewId);
    };
    expect(await scorecardEvents()).toHaveLength(1);

    const exported = await api.call<{
      transcripts: { interview_id: string; turns: { speaker: string; text: string }[] }[];
      recordings: { interview_id: string; segments: unknown[] }[];
      scorecards: { id: string }[];
    }>('GET', `/v1/candidates/${candidateId}/export`, { key: tenant.testKey });
    expect(exported.status, describeResponse(exported)).toBe(200);
    expect(exported.body.transcripts.map((t) => t.interview_id)).toEqual([interviewId]);
    expect(exported.body.transcripts[0]!.turns.filter((t) => t.speaker === 'candidate')[0]?.text).toBe(
      longAnswer,
    );
    expect(exported.body.recordings.map((r) => r.interview_id)).toEqual([interviewId]);
    expect(exported.body.scorecards.map((s) => s.id)).toEqual([scorecard.id]);

    const erased = await api.call('DELETE', `/v1/candidates/${candidateId}`, { key: tenant.testKey });
    expect(erased.status, describeResponse(erased)).toBe(200);
    const res = await api.call('GET', `/v1/interviews/${interviewId}/scorecard`, { key: tenant.testKey });
    expect(res.status, describeResponse(res)).toBe(404);
    // Not the "scoring starts when an interview completes" of an interview still under way: it did complete.
    expect(res.body).toMatchObject({ code: 'resource_missing', param: 'id' });
    expect(String(res.body.detail)).toBe(
      `Interview ${interviewId} has no scorecard: its candidate's data was erased, and its scorecards with it.`,
    );
    // The scorecard.completed event quoted the candidate: it goes, and no delivery of it can be retried.
    expect(await scorecardEvents()).toEqual([]);
    const transcript = await api.call<{ turns: unknown[] }>(
      'GET',
      `/v1/interviews/${interviewId}/transcript`,
      {
        key: tenant.testKey,
      },
    );
    expect(transcript.body.turns).toEqual([]);
  });
});
