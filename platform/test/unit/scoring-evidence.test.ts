import { describe, expect, it } from 'vitest';
import { checkEvidence, normaliseQuote } from '../../src/scoring/evidence.ts';
import type { ScoringTurn } from '../../src/scoring/scoring-types.ts';

const turns: ScoringTurn[] = [
  {
    id: 't1',
    speaker: 'interviewer',
    kind: 'intro',
    questionIndex: 0,
    text: 'Tell me about a system you’ve built.',
  },
  {
    id: 't2',
    speaker: 'candidate',
    kind: 'answer',
    questionIndex: 0,
    text: 'I built a “real-time” pricing service —  it cut   latency\nby 40%. We didn’t use a cache at first.',
  },
  {
    id: 't3',
    speaker: 'interviewer',
    kind: 'question',
    questionIndex: 1,
    text: 'How do you handle conflict?',
  },
  {
    id: 't4',
    speaker: 'candidate',
    kind: 'answer',
    questionIndex: 1,
    text: 'I listen first, then I decide.',
  },
];

describe('normaliseQuote', () => {
  it('folds typography, case, spacing and the quoting a model wraps around an excerpt', () => {
    expect(normaliseQuote('  “…We Didn’t  use\ta cache…”  ')).toBe("we didn't use a cache");
    expect(normaliseQuote('"...it cut latency — by 40%..."')).toBe('it cut latency - by 40%');
    expect(normaliseQuote('ﬁne')).toBe('fine');
    expect(normaliseQuote(' “ … ” ')).toBe('');
  });

  it('keeps a single full stop, which may be the candidate’s own', () => {
    expect(normaliseQuote('I decide.')).toBe('i decide.');
  });

  it('does not choke on long runs of dots', () => {
    const started = performance.now();
    expect(normaliseQuote(`${'.'.repeat(5000)}x${'.'.repeat(5000)}y`)).toBe(`x${'.'.repeat(5000)}y`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('checkEvidence', () => {
  it('keeps quotes that differ from the turn only in typography, whitespace and case', () => {
    const evidence = [
      { turnId: 't2', quote: '  "we didn\'t use a cache at first."  ' },
      { turnId: 't2', quote: 'I built a "real-time" pricing service - it cut latency by 40%' },
      { turnId: 't4', quote: '...I LISTEN FIRST...' },
    ];
    const { kept, dropped } = checkEvidence(evidence, turns);
    expect(dropped).toEqual([]);
    // Kept as the transcript spells them, not as the scorer did.
    expect(kept).toEqual([
      { turnId: 't2', quote: 'We didn’t use a cache at first.' },
      { turnId: 't2', quote: 'I built a “real-time” pricing service —  it cut   latency\nby 40%' },
      { turnId: 't4', quote: 'I listen first' },
    ]);
  });

  it('drops a quote of the interviewer’s turn, even when the text matches', () => {
    const quote = { turnId: 't1', quote: 'Tell me about a system' };
    expect(checkEvidence([quote], turns)).toEqual({ kept: [], dropped: [quote] });
  });

  it('drops a quote citing the wrong turn or a turn that does not exist', () => {
    const wrongTurn = { turnId: 't4', quote: 'it cut latency by 40%' };
    const noTurn = { turnId: 't9', quote: 'I listen first' };
    expect(checkEvidence([wrongTurn, noTurn], turns)).toEqual({ kept: [], dropped: [wrongTurn, noTurn] });
  });

  it('drops a fabricated or paraphrased quote', () => {
    const fabricated = { turnId: 't2', quote: 'I led a team of twenty engineers' };
    const paraphrased = { turnId: 't2', quote: 'it cut latency by 50%' };
    expect(checkEvidence([fabricated, paraphrased], turns).dropped).toEqual([fabricated, paraphrased]);
  });

  it('drops an empty quote and a quote over 500 characters, even when it occurs', () => {
    // Words ending at 500 and 502 characters: quotes must end at a word's end.
    const long = `${'a'.repeat(300)} ${'b'.repeat(199)} c ${'d'.repeat(100)}`;
    const longTurns: ScoringTurn[] = [
      { id: 'l', speaker: 'candidate', kind: 'answer', questionIndex: 0, text: long },
    ];
    const empty = { turnId: 'l', quote: ' “” ' };
    const tooLong = { turnId: 'l', quote: long.slice(0, 502) };
    const justFits = { turnId: 'l', quote: long.slice(0, 500) };
    expect(checkEvidence([empty, tooLong, justFits], longTurns)).toEqual({
      kept: [justFits],
      dropped: [empty, tooLong],
    });
  });

  it('keeps a repeated quote once, but the same words from another turn separately', () => {
    const repeatTurns: ScoringTurn[] = [
      ...turns,
      { id: 't5', speaker: 'candidate', kind: 'answer', questionIndex: 2, text: 'Again: I listen first.' },
    ];
    const { kept, dropped } = checkEvidence(
      [
        { turnId: 't4', quote: 'I listen first' },
        { turnId: 't4', quote: '“i listen   first”' },
        { turnId: 't5', quote: 'I listen first' },
      ],
      repeatTurns,
    );
    expect(dropped).toEqual([]);
    expect(kept).toEqual([
      { turnId: 't4', quote: 'I listen first' },
      { turnId: 't5', quote: 'I listen first' },
    ]);
  });
});
