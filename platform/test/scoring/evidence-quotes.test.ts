import { describe, expect, it } from 'vitest';
import { checkEvidence } from '../../src/scoring/evidence.ts';
import type { Evidence, ScoringTurn } from '../../src/scoring/scoring-types.ts';

/** Checks each quote against one candidate turn that said `text`. */
function check(text: string, quotes: string[]): { kept: string[]; dropped: string[] } {
  const turns: ScoringTurn[] = [{ id: 't1', speaker: 'candidate', kind: 'answer', questionIndex: 0, text }];
  const evidence: Evidence[] = quotes.map((quote) => ({ turnId: 't1', quote }));
  const { kept, dropped } = checkEvidence(evidence, turns);
  for (const item of kept) expect(text, 'a kept quote is a substring of the turn').toContain(item.quote);
  return { kept: kept.map((e) => e.quote), dropped: dropped.map((e) => e.quote) };
}

describe('the quotes the evidence check keeps', () => {
  it('are spelt as in the transcript, not as the scorer spelt them', () => {
    const said = 'We scaled it to 10k rps, then we didn’t stop: ﬁne-tuning the “hot” path took a week.';
    expect(
      check(said, ['"WE SCALED IT…"', "we didn't stop", 'fine-tuning the "hot" path', '...took a week.']),
    ).toEqual({
      kept: ['We scaled it', 'we didn’t stop', 'ﬁne-tuning the “hot” path', 'took a week.'],
      dropped: [],
    });
  });

  it('keep the transcript’s spacing and line breaks within the quote', () => {
    expect(check('I listen\n\nfirst,   then decide.', ['i listen first, then decide'])).toEqual({
      kept: ['I listen\n\nfirst,   then decide'],
      dropped: [],
    });
  });

  it('match composed and decomposed accents, and Greek final sigma, alike', () => {
    const decomposed = 'Je suis alle\u0301 au cafe\u0301.';
    expect(check(decomposed, ['allé au café'])).toEqual({ kept: ['alle\u0301 au cafe\u0301'], dropped: [] });
    // Folded one character at a time, a capital sigma cannot know it ends a word.
    expect(check('Ο ΔΡΟΜΟΣ ήταν μακρύς.', ['ο δρομος'])).toEqual({ kept: ['Ο ΔΡΟΜΟΣ'], dropped: [] });
  });
});

describe('the evidence check', () => {
  it('drops a fragment that starts or ends inside a word', () => {
    expect(check('I know the answer.', ['ow th', 'know th', 'now the', 'know the'])).toEqual({
      kept: ['know the'],
      dropped: ['ow th', 'know th', 'now the'],
    });
    expect(check('We served 1400 requests.', ['40', '1400'])).toEqual({ kept: ['1400'], dropped: ['40'] });
  });

  it('finds the whole-word occurrence after one inside a word', () => {
    expect(check('Rescale, then scale.', ['scale'])).toEqual({ kept: ['scale'], dropped: [] });
  });

  it('lets a quote start and end anywhere in a script written without spaces', () => {
    expect(check('我负责设计支付系统。', ['设计支付系统'])).toEqual({ kept: ['设计支付系统'], dropped: [] });
    expect(check('私は決済システムを設計しました。', ['決済システム'])).toEqual({
      kept: ['決済システム'],
      dropped: [],
    });
  });
});
