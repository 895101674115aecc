import { defineEntity, p } from '@mikro-orm/core';
import type { RubricDimension } from '../jobs/job.entity.ts';
import type { TokenUsage } from '../providers/providers.ts';
import type { DimensionResult, Recommendation, SummaryResult } from './scoring-types.ts';

export const scorecardStatuses = ['pending', 'completed', 'failed'] as const;
export type ScorecardStatus = (typeof scorecardStatuses)[number];
export type ScorecardTrigger = 'interview_completed' | 'rescore';
export type ScoringFailureCode =
  | 'provider_error'
  | 'malformed_output'
  | 'transcript_empty'
  | 'internal_error';

export interface ScoringFailure {
  code: ScoringFailureCode;
  message: string;
}

/**
 * One scoring run of an interview. The row is also the run's job: `pending` rows are claimed by a scoring
 * worker (SKIP LOCKED, with a lease), and what an attempt finished is kept, so a retry asks only for what is
 * still missing. Re-scoring adds a row; the newest row is the interview's scorecard, the rest its history.
 */
const ScorecardSchema = defineEntity({
  name: 'Scorecard',
  tableName: 'scorecards',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    interviewId: p.string(),
    status: p.string().$type<ScorecardStatus>(),
    trigger: p.string().$type<ScorecardTrigger>(),
    /**
     * The rubric as the job had it when the run first began (null until then): a later edit of the job does
     * not change a scorecard, and a retry scores against the same dimensions.
     */
    rubric: p.json<RubricDimension[]>().nullable(),
    dimensions: p.json<DimensionResult[]>(),
    summary: p.json<SummaryResult>().nullable(),
    // Read back as a number, not the string MikroORM gives doubles by default.
    score: p.double().runtimeType('number').$type<number>().nullable(),
    recommendation: p.string().$type<Recommendation>().nullable(),
    model: p.string().nullable(),
    promptVersion: p.string().nullable(),
    usage: p.json<TokenUsage>(),
    /** Claims of the run, takeovers included: the claim a worker holds is the count it claimed at. */
    attempts: p.integer(),
    /** Claims that took the run over from a worker that stopped before finishing: not held against it. */
    takeovers: p.integer(),
    nextAttemptAt: p.datetime(),
    lockedUntil: p.datetime().nullable(),
    /** Why the last attempt failed (kept while retrying), or why the run gave up. */
    failure: p.json<ScoringFailure>().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    completedAt: p.datetime().nullable(),
    failedAt: p.datetime().nullable(),
  },
});

export class Scorecard extends ScorecardSchema.class {}
ScorecardSchema.setClass(Scorecard);

export { ScorecardSchema };
