import type { Recommendation } from './scoring-types.ts';

/** Each dimension's share of the whole: jobs state weights on any scale (40/30/30 and 2/1/1 alike). */
export function normalisedWeights(dimensions: { key: string; weight: number }[]): Map<string, number> {
  const total = dimensions.reduce((sum, dimension) => sum + Math.max(dimension.weight, 0), 0);
  // Weights are validated positive when a job is saved; should none be, every dimension counts alike
  // rather than the score dividing by zero.
  if (!(total > 0)) return new Map(dimensions.map((dimension) => [dimension.key, 1 / dimensions.length]));
  return new Map(dimensions.map((dimension) => [dimension.key, Math.max(dimension.weight, 0) / total]));
}

function roundTo2(value: number): number {
  // EPSILON keeps values such as 2.675, held as 2.67499…, from rounding down.
  return Math.round((value + Number.EPSILON) * 100) / 100;
}

/**
 * The weighted mean of the dimensions scored. A dimension with no result (its scoring failed) leaves the
 * others' weights to share the whole, rather than counting as a zero the candidate never earned.
 */
export function overallScore(
  results: { key: string; score: number }[],
  weights: Map<string, number>,
): number | null {
  if (results.length === 0) return null;
  let weighted = 0;
  let total = 0;
  for (const result of results) {
    const weight = weights.get(result.key) ?? 0;
    weighted += weight * result.score;
    total += weight;
  }
  if (total > 0) return roundTo2(weighted / total);
  // Only results for dimensions outside the weights: a plain mean still says something true.
  return roundTo2(results.reduce((sum, result) => sum + result.score, 0) / results.length);
}

/** Bands on the 1 to 5 scale: below 2, 2 up to 3, 3 up to 4, and 4 or above. */
export function recommendationFor(score: number | null): Recommendation | null {
  if (score === null) return null;
  if (score < 2) return 'strong_no';
  if (score < 3) return 'no';
  if (score < 4) return 'yes';
  return 'strong_yes';
}
