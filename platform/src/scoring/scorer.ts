import type { RubricDimension } from '../jobs/job.entity.ts';
import type { TokenUsage } from '../providers/providers.ts';
import type { ScoringFailureCode } from './scorecard.entity.ts';
import type { DimensionResult, ScoringInput, SummaryResult } from './scoring-types.ts';

export interface Scored<T> {
  value: T;
  usage: TokenUsage;
}

/** What makes a scorecard: the language model, or the offline scorer standing in for one. */
export interface Scorer {
  /** Named on the scorecard: the provider's model, or `offline`. */
  readonly model: string;
  readonly promptVersion: string;
  scoreDimension(input: ScoringInput, dimension: RubricDimension): Promise<Scored<DimensionResult>>;
  summarise(input: ScoringInput): Promise<Scored<SummaryResult>>;
}

/** What a scoring call can fail with; the others are the worker's to record. */
export type ProviderFailureCode = Extract<ScoringFailureCode, 'provider_error' | 'malformed_output'>;

/** A scoring call that did not give a usable answer; the run is retried, and after the last try fails. */
export class ScoringError extends Error {
  override name = 'ScoringError';
  readonly code: ProviderFailureCode;
  /** The tokens of the calls made before it failed: paid for, so the scorecard counts them. */
  readonly usage: TokenUsage;

  constructor(code: ProviderFailureCode, message: string, options?: ErrorOptions & { usage?: TokenUsage }) {
    super(message, options);
    this.code = code;
    this.usage = options?.usage ?? noUsage;
  }

  /** The same failure, counting `usage` too. */
  withUsage(usage: TokenUsage): ScoringError {
    return new ScoringError(this.code, this.message, {
      cause: this.cause,
      usage: addUsage(this.usage, usage),
    });
  }
}

export const noUsage: TokenUsage = { promptTokens: 0, completionTokens: 0 };

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  };
}
