import { describe, expect, it } from 'vitest';
import type { RubricDimension } from '../../src/jobs/job.entity.ts';
import { summariseOffline } from '../../src/scoring/offline-scorer.ts';
import type { ScoringInput } from '../../src/scoring/scoring-types.ts';

/** A rubric of `count` dimensions, each with keywords of its own. */
function rubric(count: number): RubricDimension[] {
  const topics = ['ledgers', 'caching', 'queues', 'indexes', 'tracing', 'billing', 'hiring', 'budgets'];
  return topics.slice(0, count).map((topic) => ({
    key: topic,
    name: topic,
    description: `Knows ${topic}: ${topic} design, ${topic} operations, ${topic} failures.`,
    weight: 1,
  }));
}

/** Every question answered with `answer`. */
function interview(answer: string, dimensions: RubricDimension[], answered = 3): ScoringInput {
  return {
    jobTitle: 'Backend engineer',
    jobDescription: '',
    language: 'en',
    questions: [0, 1, 2].map((index) => ({ index, text: `Question ${index + 1}?`, guidance: null })),
    dimensions,
    turns: [0, 1, 2].slice(0, answered).map((index) => ({
      id: `a${index}`,
      speaker: 'candidate',
      kind: 'answer',
      questionIndex: index,
      text: answer,
    })),
  };
}

describe('the offline summary', () => {
  it('lists at most three concerns, those about the whole interview first', () => {
    const summary = summariseOffline(interview('Yes.', rubric(8), 1));
    expect(summary.concerns).toEqual([
      'Questions 2 and 3 were not answered',
      'Answers were short (about 1 word on average)',
      'No terms related to ledgers came up',
    ]);
  });

  it('lists at most three strengths, those about the whole interview first', () => {
    const dimensions = rubric(8);
    const everything = dimensions.map((d) => `${d.key} design, operations and failures`).join('; ');
    const summary = summariseOffline(interview(everything, dimensions));
    expect(summary.strengths).toEqual([
      'Answered every question',
      'Mentioned terms related to ledgers (ledgers, design, operations, failures)',
      'Mentioned terms related to caching (caching, design, operations, failures)',
    ]);
  });
});
