/**
 * Where an interview stands between two steps. It lives on the interview row and is written in the same
 * transaction as the turn that moved it, so a crash leaves either the old step or the new, never half.
 */
export interface InterviewProgress {
  /** intro → question (with follow-ups) → closing → done. */
  phase: 'intro' | 'question' | 'closing' | 'done';
  /** The question being asked, 0-based. */
  questionIndex: number;
  /** Follow-ups already asked on the current question. */
  followUpsAsked: number;
  /** Who speaks next. `interviewer` with no turn running means a turn must be (re)generated. */
  awaiting: 'interviewer' | 'candidate' | 'none';
  /** Why the interview closed, once it did. */
  closingReason: ClosingReason | null;
  /** An instance generating the interviewer's turn holds this lease; another may take over after it lapses. */
  leaseUntil: string | null;
  /**
   * Turns committed so far, kept with the turn that adds one, so the next turn's `seq` needs no count of the
   * transcript. Absent on interviews started before it was kept: they count once.
   */
  turnCount?: number;
}

export type ClosingReason = 'questions_done' | 'time_limit' | 'token_budget' | 'candidate_ended';

export function initialProgress(): InterviewProgress {
  return {
    phase: 'intro',
    questionIndex: 0,
    followUpsAsked: 0,
    awaiting: 'none',
    closingReason: null,
    leaseUntil: null,
  };
}
