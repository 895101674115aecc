import type { Question } from '../jobs/job.entity.ts';
import type { TokenUsage } from '../providers/providers.ts';
import type { TurnKind } from '../transcripts/turn.entity.ts';
import type { ClosingReason } from './progress.ts';

/** What the interviewer is about to do, decided by the engine within the job's limits. */
export type Move =
  | { kind: 'intro'; question: Question }
  /** After an answer: ask one follow-up if the answer was thin, else go on to `next` (null: close). */
  | { kind: 'after_answer'; mayFollowUp: boolean; current: Question; next: Question | null }
  | { kind: 'closing'; reason: ClosingReason };

export interface PastTurn {
  speaker: 'interviewer' | 'candidate';
  text: string;
}

export interface InterviewBrief {
  jobTitle: string;
  jobDescription: string;
  companyName: string;
  candidateName: string;
  interviewerName: string;
  language: string;
  questionCount: number;
  maxMinutes: number;
}

/** The spoken turn as it is produced, and what it turned out to be once the text began. */
export interface SpokenTurn {
  text: AsyncIterable<string>;
  /** Settles once the text has ended: which kind of turn it was. */
  kind(): Promise<Extract<TurnKind, 'intro' | 'question' | 'follow_up' | 'closing'>>;
  usage(): Promise<TokenUsage>;
}

/** The voice of the interview: the built-in offline one, or one backed by an LLM. */
export interface Interviewer {
  readonly model: string;
  /** `signal` ends the turn early (its deadline passed): the model's request is aborted. */
  speak(brief: InterviewBrief, history: PastTurn[], move: Move, signal?: AbortSignal): SpokenTurn;
}
