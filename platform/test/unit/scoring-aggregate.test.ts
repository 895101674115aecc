import { describe, expect, it } from 'vitest';
import { normalisedWeights, overallScore, recommendationFor } from '../../src/scoring/aggregate.ts';

describe('normalisedWeights', () => {
  it('turns weights on any scale into shares of one', () => {
    const percent = normalisedWeights([
      { key: 'a', weight: 40 },
      { key: 'b', weight: 30 },
      { key: 'c', weight: 30 },
    ]);
    expect(percent.get('a')).toBeCloseTo(0.4);
    expect(percent.get('b')).toBeCloseTo(0.3);
    expect(percent.get('c')).toBeCloseTo(0.3);
    const ratio = normalisedWeights([
      { key: 'a', weight: 2 },
      { key: 'b', weight: 1 },
      { key: 'c', weight: 1 },
    ]);
    expect([...ratio.values()]).toEqual([0.5, 0.25, 0.25]);
  });
});

describe('overallScore', () => {
  const weights = normalisedWeights([
    { key: 'a', weight: 2 },
    { key: 'b', weight: 1 },
    { key: 'c', weight: 1 },
  ]);

  it('is the weighted mean, rounded to two decimals', () => {
    expect(
      overallScore(
        [
          { key: 'a', score: 4 },
          { key: 'b', score: 3 },
          { key: 'c', score: 2 },
        ],
        weights,
      ),
    ).toBe(3.25);
    const thirds = normalisedWeights([
      { key: 'a', weight: 1 },
      { key: 'b', weight: 1 },
      { key: 'c', weight: 1 },
    ]);
    expect(
      overallScore(
        [
          { key: 'a', score: 4 },
          { key: 'b', score: 4 },
          { key: 'c', score: 5 },
        ],
        thirds,
      ),
    ).toBe(4.33);
    expect(
      overallScore(
        [
          { key: 'a', score: 5 },
          { key: 'b', score: 5 },
          { key: 'c', score: 4 },
        ],
        thirds,
      ),
    ).toBe(4.67);
  });

  it('lets the scored dimensions share the whole when one has no result', () => {
    expect(
      overallScore(
        [
          { key: 'b', score: 3 },
          { key: 'c', score: 4 },
        ],
        weights,
      ),
    ).toBe(3.5);
  });

  it('is null with nothing scored', () => {
    expect(overallScore([], weights)).toBeNull();
  });
});

describe('recommendationFor', () => {
  it('bands the score at 2, 3 and 4', () => {
    expect(recommendationFor(1)).toBe('strong_no');
    expect(recommendationFor(1.99)).toBe('strong_no');
    expect(recommendationFor(2)).toBe('no');
    expect(recommendationFor(2.99)).toBe('no');
    expect(recommendationFor(3)).toBe('yes');
    expect(recommendationFor(3.99)).toBe('yes');
    expect(recommendationFor(4)).toBe('strong_yes');
    expect(recommendationFor(5)).toBe('strong_yes');
  });

  it('is null without a score', () => {
    expect(recommendationFor(null)).toBeNull();
  });
});
