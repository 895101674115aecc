import type { Interview } from '../interviews/interview.entity.ts';
import type { TurnKind } from '../transcripts/turn.entity.ts';
import type { Move } from './interviewer.ts';
import type { InterviewProgress } from './progress.ts';
import type { TurnJob } from './turn-claim.ts';

/**
 * The interview's plan, as pure functions of its progress and its job: what the interviewer does next, and
 * where each of its turns leaves the interview. The engine persists what they return.
 */

type SpokenKind = Exclude<TurnKind, 'answer'>;

/**
 * What the interviewer does next, from where the interview stands: close (out of time, or of tokens when
 * `tokenBudget` is set), introduce itself, or reply to the answer just given.
 */
export function nextMove(
  interview: Pick<Interview, 'progress' | 'startedAt' | 'tokensUsed'>,
  job: Pick<TurnJob, 'questions' | 'settings'>,
  turnCount: number,
  tokenBudget: number | null,
): Move {
  const { progress } = interview;
  const questions = job.questions;
  const elapsed = interview.startedAt ? Date.now() - interview.startedAt.getTime() : 0;
  if (elapsed >= job.settings.max_duration_seconds * 1000) return { kind: 'closing', reason: 'time_limit' };
  if (tokenBudget !== null && interview.tokensUsed >= tokenBudget) {
    return { kind: 'closing', reason: 'token_budget' };
  }
  if (progress.phase === 'intro' || turnCount === 0) return { kind: 'intro', question: questions[0]! };
  const current = questions[progress.questionIndex]!;
  return {
    kind: 'after_answer',
    mayFollowUp: progress.followUpsAsked < job.settings.max_follow_ups,
    current,
    next: questions[progress.questionIndex + 1] ?? null,
  };
}

/** The question an interviewer turn of `kind` is about. */
export function questionIndexAfter(progress: InterviewProgress, kind: SpokenKind): number {
  if (kind === 'question' && progress.phase !== 'intro') return progress.questionIndex + 1;
  return progress.questionIndex;
}

/** Where an interviewer turn of `kind`, made for `move`, leaves the interview: the lease released. */
export function progressAfter(progress: InterviewProgress, kind: SpokenKind, move: Move): InterviewProgress {
  const base = { ...progress, leaseUntil: null };
  if (kind === 'closing')
    return {
      ...base,
      phase: 'done',
      awaiting: 'none',
      closingReason: move.kind === 'closing' ? move.reason : 'questions_done',
    };
  if (kind === 'intro')
    return { ...base, phase: 'question', questionIndex: 0, followUpsAsked: 0, awaiting: 'candidate' };
  if (kind === 'follow_up')
    return {
      ...base,
      phase: 'question',
      followUpsAsked: progress.followUpsAsked + 1,
      awaiting: 'candidate',
    };
  return {
    ...base,
    phase: 'question',
    questionIndex: progress.questionIndex + 1,
    followUpsAsked: 0,
    awaiting: 'candidate',
  };
}
