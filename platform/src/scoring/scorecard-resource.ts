import type { SuccessBody } from '../http/operation.ts';
import { normalisedWeights } from './aggregate.ts';
import type { Scorecard } from './scorecard.entity.ts';
import type { Evidence } from './scoring-types.ts';
import { maxScore } from './scoring-types.ts';

export type ScorecardResource = SuccessBody<'retrieveInterviewScorecard'>;

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const evidence = (items: Evidence[]) => items.map((e) => ({ turn_id: e.turnId, quote: e.quote }));

/** A scorecard as the API shows it. Until a run completes, its partial results stay internal. */
export function scorecardResource(scorecard: Scorecard): ScorecardResource {
  const completed = scorecard.status === 'completed';
  const rubric = scorecard.rubric ?? [];
  const weights = normalisedWeights(rubric);
  return {
    id: scorecard.id,
    object: 'scorecard',
    interview_id: scorecard.interviewId,
    livemode: scorecard.livemode,
    status: scorecard.status,
    trigger: scorecard.trigger,
    score: completed ? (scorecard.score ?? null) : null,
    max_score: maxScore,
    recommendation: completed ? (scorecard.recommendation ?? null) : null,
    summary: completed ? (scorecard.summary?.summary ?? null) : null,
    strengths: completed ? (scorecard.summary?.strengths ?? []) : [],
    concerns: completed ? (scorecard.summary?.concerns ?? []) : [],
    dimensions: completed
      ? rubric.flatMap((dimension) => {
          const result = scorecard.dimensions.find((d) => d.key === dimension.key);
          if (!result) return [];
          return [
            {
              key: dimension.key,
              name: dimension.name,
              weight: Math.round((weights.get(dimension.key) ?? 0) * 10_000) / 10_000,
              score: result.score,
              max_score: maxScore,
              rationale: result.rationale,
              evidence: evidence(result.evidence),
              evidence_check: { reasked: result.reasked, dropped: evidence(result.droppedEvidence) },
            },
          ];
        })
      : [],
    model: scorecard.status === 'pending' ? null : (scorecard.model ?? null),
    prompt_version: scorecard.status === 'pending' ? null : (scorecard.promptVersion ?? null),
    usage: {
      prompt_tokens: scorecard.usage.promptTokens,
      completion_tokens: scorecard.usage.completionTokens,
    },
    attempts: scorecard.attempts,
    failure: scorecard.status === 'failed' ? (scorecard.failure ?? null) : null,
    created_at: scorecard.createdAt.toISOString(),
    completed_at: iso(scorecard.completedAt),
    failed_at: iso(scorecard.failedAt),
  };
}
