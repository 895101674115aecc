import { expect } from 'vitest';
import { type ApiClient, describeResponse } from './api.ts';
import { answerAndHear, until } from './interview-flow.ts';
import { openSession } from './sessions.ts';
import { SseClient } from './sse-client.ts';

export interface ScorecardBody {
  id: string;
  object: 'scorecard';
  interview_id: string;
  livemode: boolean;
  status: 'pending' | 'completed' | 'failed';
  trigger: 'interview_completed' | 'rescore';
  score: number | null;
  max_score: number;
  recommendation: string | null;
  summary: string | null;
  strengths: string[];
  concerns: string[];
  dimensions: {
    key: string;
    name: string;
    weight: number;
    score: number;
    max_score: number;
    rationale: string;
    evidence: { turn_id: string; quote: string }[];
    evidence_check: { reasked: boolean; dropped: { turn_id: string; quote: string }[] };
  }[];
  model: string | null;
  prompt_version: string | null;
  usage: { prompt_tokens: number; completion_tokens: number };
  attempts: number;
  failure: { code: string; message: string } | null;
  created_at: string;
  completed_at: string | null;
  failed_at: string | null;
}

/**
 * Runs an interview to its end by text, as a candidate would: one answer per entry of `answers`, then ends
 * it (or lets the interviewer close it, when every question was answered).
 */
export async function completedInterview(
  api: ApiClient,
  baseUrl: string,
  key: string,
  job: { questions: unknown[] },
  answers: string[],
): Promise<string> {
  const { interviewId, token } = await openSession(api, key, job);
  const started = await api.call('POST', '/v1/session/start', { key: token });
  expect(started.status, describeResponse(started)).toBe(200);
  const events = new SseClient(`${baseUrl}/v1/session/events`, token);
  try {
    await events.next((e) => e.event === 'interviewer.done');
    for (const answer of answers) await answerAndHear(api, token, events, answer);
    if (answers.length < job.questions.length) {
      const ended = await api.call('POST', '/v1/session/end', { key: token });
      expect(ended.status, describeResponse(ended)).toBe(200);
    } else {
      await events.next((e) => e.event === 'interview.completed');
    }
  } finally {
    events.close();
  }
  return interviewId;
}

export async function scorecardOf(api: ApiClient, key: string, interviewId: string): Promise<ScorecardBody> {
  const res = await api.call<ScorecardBody>('GET', `/v1/interviews/${interviewId}/scorecard`, { key });
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body;
}

/** Waits for the interview's newest scorecard to leave `pending`, and returns it. */
export async function settledScorecard(
  api: ApiClient,
  key: string,
  interviewId: string,
  timeoutMs = 20_000,
): Promise<ScorecardBody> {
  let latest: ScorecardBody | null = null;
  await until(
    `the scorecard of ${interviewId} is settled`,
    async () => {
      const res = await api.call<ScorecardBody>('GET', `/v1/interviews/${interviewId}/scorecard`, { key });
      latest = res.status === 200 ? res.body : null;
      return latest !== null && latest.status !== 'pending';
    },
    timeoutMs,
  );
  return latest as unknown as ScorecardBody;
}
