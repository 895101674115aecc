import type { TokenUsage } from '../providers/providers.ts';
import { addUsage, noUsage, type Scorer, ScoringError } from './scorer.ts';
import type { DimensionResult, ScoringInput, SummaryResult } from './scoring-types.ts';

/** What an attempt finished: everything done so far, and the first failure if something is still missing. */
export interface ScoringProgress {
  dimensions: DimensionResult[];
  summary: SummaryResult | null;
  usage: TokenUsage;
  failure: ScoringError | null;
}

/**
 * One attempt at a scorecard: every dimension not yet scored, and the summary if it is missing, all at once
 * (the scorer caps how many reach the provider together). What succeeds is kept even when something else
 * fails, so the next attempt asks only for the rest.
 */
export async function runScoring(
  scorer: Scorer,
  input: ScoringInput,
  done: { dimensions: DimensionResult[]; summary: SummaryResult | null },
): Promise<ScoringProgress> {
  const known = new Set(done.dimensions.map((d) => d.key));
  const missing = input.dimensions.filter((d) => !known.has(d.key));
  const [summary, ...scored] = await Promise.allSettled([
    done.summary ? Promise.resolve(null) : scorer.summarise(input),
    ...missing.map((dimension) => scorer.scoreDimension(input, dimension)),
  ]);
  const progress: ScoringProgress = {
    dimensions: [...done.dimensions],
    summary: done.summary,
    usage: noUsage,
    failure: null,
  };
  const fail = (reason: unknown) => {
    // A failed call was paid for all the same.
    if (reason instanceof ScoringError) progress.usage = addUsage(progress.usage, reason.usage);
    progress.failure ??=
      reason instanceof ScoringError
        ? reason
        : new ScoringError(
            'provider_error',
            `Scoring failed: ${reason instanceof Error ? reason.message : String(reason)}`,
          );
  };
  if (summary?.status === 'fulfilled' && summary.value) {
    progress.summary = summary.value.value;
    progress.usage = addUsage(progress.usage, summary.value.usage);
  } else if (summary?.status === 'rejected') fail(summary.reason);
  for (const result of scored) {
    if (result.status === 'fulfilled') {
      progress.dimensions.push(result.value.value);
      progress.usage = addUsage(progress.usage, result.value.usage);
    } else fail(result.reason);
  }
  return progress;
}
