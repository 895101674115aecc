import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Scorecard } from '../../src/scoring/scorecard.entity.ts';
import { claimRuns } from '../../src/scoring/scoring-runs.ts';
import { maxTakeovers, ScoringWorker } from '../../src/scoring/scoring-worker.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { longAnswer } from '../support/interview-flow.ts';
import { completedInterview, settledScorecard } from '../support/scoring.ts';

/**
 * Scoring workers sharing one database: several at once, and one that dies holding a run. The platform runs
 * no worker of its own, so each test starts the ones it needs; test mode keeps them on the offline scorer,
 * which is quick, so what is under test is the claiming. A worker that "dies" is a claim made with
 * `claimRuns` and never settled: all a killed process leaves behind.
 */
let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
const workers: ScoringWorker[] = [];
const maxAttempts = 2;

const job = {
  title: 'Backend engineer',
  description: 'Payments.',
  questions: [{ text: 'Tell me about a system you designed.' }],
  rubric: {
    dimensions: [
      { key: 'system_design', name: 'System design', description: 'Designs reliable systems.', weight: 1 },
    ],
  },
};

function startWorker(): ScoringWorker {
  const { services } = test.platform;
  const worker = new ScoringWorker({
    orm: services.db.orm,
    logger: services.logger,
    config: services.config.scoring,
    model: services.providers.scoring,
    idleMs: 20,
  });
  worker.start();
  workers.push(worker);
  return worker;
}

/** Claims every due run as a worker would, for a lease of `leaseMs`, then abandons the claim, as if killed. */
async function claimAndDie(leaseMs = 100): Promise<void> {
  const claimed = await claimRuns(test.platform.services.db.orm.em.fork(), 100, leaseMs / 1000);
  expect(claimed.length).toBeGreaterThan(0);
  await new Promise((resolve) => setTimeout(resolve, leaseMs + 50));
}

async function scorecardEvents(interviewId: string): Promise<string[]> {
  const res = await api.call<{ data: { type: string }[] }>('GET', `/v1/events?interview_id=${interviewId}`, {
    key: tenant.testKey,
  });
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body.data.map((e) => e.type).filter((type) => type.startsWith('scorecard.'));
}

beforeAll(async () => {
  test = await startTestPlatform({
    VIVA_SCORING_WORKER: 'false',
    VIVA_SCORING_MAX_ATTEMPTS: String(maxAttempts),
  });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});
afterAll(async () => {
  await test?.stop();
});

describe('scoring workers on one database', () => {
  it('score each interview once between them: one attempt and one scorecard event each', async () => {
    const interviewIds = await Promise.all(
      Array.from({ length: 6 }, () => completedInterview(api, test.url, tenant.testKey, job, [longAnswer])),
    );
    for (let i = 0; i < 3; i += 1) startWorker();
    for (const interviewId of interviewIds) {
      const card = await settledScorecard(api, tenant.testKey, interviewId);
      expect(card, JSON.stringify(card)).toMatchObject({ status: 'completed', attempts: 1 });
    }
    for (const interviewId of interviewIds) {
      expect(await scorecardEvents(interviewId)).toEqual(['scorecard.completed']);
    }
  });

  it("take over a dead worker's run once its lease lapses, and complete it", async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [longAnswer]);
    await claimAndDie();
    startWorker();
    const card = await settledScorecard(api, tenant.testKey, interviewId);
    expect(card, JSON.stringify(card)).toMatchObject({ status: 'completed', attempts: 2, failure: null });
    expect(await scorecardEvents(interviewId)).toEqual(['scorecard.completed']);
  });

  it('do not hold a crash against a scorecard: one on its last attempt is taken over, not failed', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [longAnswer]);
    // As if attempts had failed already: the next claim is the last attempt allowed.
    await test.platform.services.db.orm.em
      .fork()
      .nativeUpdate(Scorecard, { interviewId }, { attempts: maxAttempts - 1 });
    await claimAndDie();
    startWorker();
    const card = await settledScorecard(api, tenant.testKey, interviewId);
    expect(card, JSON.stringify(card)).toMatchObject({
      status: 'completed',
      attempts: maxAttempts + 1,
      failure: null,
      model: 'offline',
    });
    expect(await scorecardEvents(interviewId)).toEqual(['scorecard.completed']);
  });

  it('give a run up with internal_error once its workers keep dying, naming the scorer it had', async () => {
    const interviewId = await completedInterview(api, test.url, tenant.testKey, job, [longAnswer]);
    // The first claim and every takeover allowed, each dying: the next takeover is one too many.
    for (let claim = 0; claim <= maxTakeovers; claim += 1) await claimAndDie();
    startWorker();
    const card = await settledScorecard(api, tenant.testKey, interviewId);
    expect(card, JSON.stringify(card)).toMatchObject({
      status: 'failed',
      attempts: maxTakeovers + 2,
      score: null,
      model: 'offline',
      prompt_version: expect.stringMatching(/^offline-/),
      failure: { code: 'internal_error' },
    });
    expect(card.failure!.message).toContain('left unfinished');
    expect(await scorecardEvents(interviewId)).toEqual(['scorecard.failed']);
  });
});
