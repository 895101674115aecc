import type { RubricDimension } from '../jobs/job.entity.ts';
import type { Speaker, TurnKind } from '../transcripts/turn.entity.ts';

/** Every dimension is scored on this scale, as the rubric's level descriptions are written (1 to 5). */
export const maxScore = 5;

/** A summary lists up to this many strengths, and as many concerns, as the docs and the prompt promise. */
export const maxSummaryPoints = 3;

export const recommendations = ['strong_no', 'no', 'yes', 'strong_yes'] as const;
export type Recommendation = (typeof recommendations)[number];

/** A quote from the transcript backing a dimension's score, with the turn it comes from. */
export interface Evidence {
  turnId: string;
  quote: string;
}

/** What the scorer reads: the interview as it was said, and what it is scored against. */
export interface ScoringInput {
  jobTitle: string;
  jobDescription: string;
  language: string;
  questions: { index: number; text: string; guidance: string | null }[];
  /** Weights as the job holds them (positive; normalised when the overall score is computed). */
  dimensions: RubricDimension[];
  turns: ScoringTurn[];
}

export interface ScoringTurn {
  id: string;
  speaker: Speaker;
  kind: TurnKind;
  questionIndex: number | null;
  text: string;
}

/** What the scorer answered for one dimension, before its quotes are checked. */
export interface DimensionReply {
  score: number;
  rationale: string;
  evidence: Evidence[];
}

/** One dimension as scored, after the evidence check. */
export interface DimensionResult {
  key: string;
  /** 1 to `maxScore`. */
  score: number;
  rationale: string;
  evidence: Evidence[];
  /** Quotes the scorer gave that do not occur in the turn they cite, dropped from `evidence`. */
  droppedEvidence: Evidence[];
  /** The dimension was asked again because a quote did not occur in the transcript. */
  reasked: boolean;
}

export interface SummaryResult {
  summary: string;
  strengths: string[];
  concerns: string[];
}
