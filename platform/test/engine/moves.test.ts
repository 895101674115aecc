import { describe, expect, it } from 'vitest';
import type { Move } from '../../src/engine/interviewer.ts';
import { nextMove, progressAfter, questionIndexAfter } from '../../src/engine/moves.ts';
import { type InterviewProgress, initialProgress } from '../../src/engine/progress.ts';

const job = {
  questions: [
    { id: 'q_1', text: 'First?', guidance: null },
    { id: 'q_2', text: 'Second?', guidance: null },
  ],
  settings: { max_duration_seconds: 600, max_follow_ups: 1, interviewer_name: 'Viva', voice: 'alloy' },
};
const onQuestion = (questionIndex: number, followUpsAsked = 0): InterviewProgress => ({
  ...initialProgress(),
  phase: 'question',
  questionIndex,
  followUpsAsked,
  awaiting: 'interviewer',
  leaseUntil: '2026-12-07T05:00:00.000Z',
});
const interview = (progress: InterviewProgress, startedMsAgo = 1_000, tokensUsed = 0) => ({
  progress,
  startedAt: new Date(Date.now() - startedMsAgo),
  tokensUsed,
});

describe('nextMove', () => {
  it('introduces itself first, with the first question', () => {
    const move = nextMove(interview({ ...initialProgress(), awaiting: 'interviewer' }), job, 0, null);
    expect(move).toEqual({ kind: 'intro', question: job.questions[0] });
  });

  it('offers a follow-up below the job limit, and the next question (none after the last)', () => {
    expect(nextMove(interview(onQuestion(0)), job, 2, null)).toEqual({
      kind: 'after_answer',
      mayFollowUp: true,
      current: job.questions[0],
      next: job.questions[1],
    });
    expect(nextMove(interview(onQuestion(1, 1)), job, 4, null)).toMatchObject({
      mayFollowUp: false,
      next: null,
    });
  });

  it('closes once the time is up, and once the token budget is spent when there is one', () => {
    expect(nextMove(interview(onQuestion(0), 600_000), job, 2, null)).toEqual({
      kind: 'closing',
      reason: 'time_limit',
    });
    expect(nextMove(interview(onQuestion(0), 1_000, 5_000), job, 2, 5_000)).toEqual({
      kind: 'closing',
      reason: 'token_budget',
    });
    expect(nextMove(interview(onQuestion(0), 1_000, 5_000), job, 2, null)).toMatchObject({
      kind: 'after_answer',
    });
  });
});

describe('progressAfter and questionIndexAfter', () => {
  const after: Move = {
    kind: 'after_answer',
    mayFollowUp: true,
    current: job.questions[0]!,
    next: job.questions[1]!,
  };

  it("gives the candidate the turn and releases the interviewer's lease", () => {
    for (const kind of ['intro', 'question', 'follow_up'] as const) {
      expect(progressAfter(onQuestion(0), kind, after)).toMatchObject({
        awaiting: 'candidate',
        leaseUntil: null,
      });
    }
  });

  it('counts a follow-up on the same question, and moves to the next question after one', () => {
    expect(progressAfter(onQuestion(0), 'follow_up', after)).toMatchObject({
      questionIndex: 0,
      followUpsAsked: 1,
    });
    expect(progressAfter(onQuestion(0, 1), 'question', after)).toMatchObject({
      questionIndex: 1,
      followUpsAsked: 0,
    });
    expect(questionIndexAfter(onQuestion(0), 'follow_up')).toBe(0);
    expect(questionIndexAfter(onQuestion(0), 'question')).toBe(1);
    expect(questionIndexAfter({ ...initialProgress(), phase: 'intro' }, 'question')).toBe(0);
  });

  it('ends with the reason the move gave, or questions_done', () => {
    expect(progressAfter(onQuestion(1), 'closing', { kind: 'closing', reason: 'time_limit' })).toMatchObject({
      phase: 'done',
      awaiting: 'none',
      closingReason: 'time_limit',
    });
    expect(progressAfter(onQuestion(1), 'closing', after)).toMatchObject({ closingReason: 'questions_done' });
  });
});
