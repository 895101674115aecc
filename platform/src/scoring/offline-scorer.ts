import type { RubricDimension } from '../jobs/job.entity.ts';
import { checkEvidence, normaliseQuote } from './evidence.ts';
import { noUsage, type Scorer } from './scorer.ts';
import type { DimensionResult, Evidence, ScoringInput, ScoringTurn, SummaryResult } from './scoring-types.ts';
import { maxScore, maxSummaryPoints } from './scoring-types.ts';

/** Bumped whenever the signals, weights or wording below change, so a scorecard can be traced to them. */
export const offlineScorerVersion = 'offline-2026-12-08';

/** Words per answered question at which the length signal is full: past this, more words add nothing. */
const fullAnswerWords = 80;
/** Distinct rubric keywords at which the keyword signal is full. */
const fullKeywordMatches = 3;
/** Below this many words per answer the summary calls the answers short. */
const shortAnswerWords = 30;
const maxEvidence = 2;
const maxEvidenceChars = 300;
const keywordsShownInRationale = 6;

// Function words, plus the vocabulary every rubric uses to describe levels ("strong", "limited", "shows"):
// a candidate saying "answer" or "example" has not thereby touched the dimension.
const stopwords = new Set(
  [
    'about above after again also among because been before being below between both could does doing',
    'down during each either even ever from further have having here into itself just like made make',
    'makes many more most much must only other others over same should some such than that their them',
    'then there these they this those through under until upon very well were what when where whether',
    'which while will with within without would your yours',
    'ability able answer answers basic candidate candidates clear clearly demonstrate demonstrates',
    'example examples excellent experience good level levels limited little none poor question questions',
    'show shows solid strong understanding uses using weak',
  ]
    .join(' ')
    .split(' '),
);

const levelKeys = ['1', '2', '3', '4', '5'] as const;

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function contentWords(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((word) => [...word].length >= 4 && !stopwords.has(word));
}

// Only a plural "s": enough that "systems" meets "system", without a stemmer's surprises.
function stem(word: string): string {
  return word.length > 4 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** The dimension's keywords by stem, each shown as first written in the rubric, in rubric order. */
function dimensionKeywords(dimension: RubricDimension): Map<string, string> {
  const texts = [
    dimension.name,
    dimension.description,
    ...levelKeys.map((key) => dimension.levels?.[key] ?? ''),
  ];
  const keywords = new Map<string, string>();
  for (const word of texts.flatMap(contentWords)) {
    if (!keywords.has(stem(word))) keywords.set(stem(word), word);
  }
  return keywords;
}

function stemsIn(text: string): Set<string> {
  return new Set(contentWords(text).map(stem));
}

interface Shape {
  answers: ScoringTurn[];
  questionCount: number;
  answeredCount: number;
  /** Job question indices with no candidate answer, in question order. */
  unanswered: number[];
  coverage: number;
  wordsPerAnswer: number;
  saidStems: Set<string>;
}

/** Counts only: nothing here reads what an answer asks for, so nothing in one can change the result. */
function shapeOf(input: ScoringInput): Shape {
  const answers = input.turns.filter((turn) => turn.speaker === 'candidate' && turn.text.trim() !== '');
  const answeredIndices = new Set(answers.map((turn) => turn.questionIndex));
  const unanswered = input.questions.filter((q) => !answeredIndices.has(q.index)).map((q) => q.index);
  const answeredCount = input.questions.length - unanswered.length;
  // Without a question plan there is nothing to cover; any answer at all counts as full coverage.
  const coverage =
    input.questions.length > 0 ? answeredCount / input.questions.length : answers.length > 0 ? 1 : 0;
  // Per question answered rather than per turn, so a follow-up exchange does not halve the figure. Answers
  // outside the plan (no question index) count as one more group.
  const words = answers.reduce((sum, turn) => sum + wordCount(turn.text), 0);
  const wordsPerAnswer = answeredIndices.size > 0 ? words / answeredIndices.size : 0;
  const saidStems = new Set(answers.flatMap((turn) => [...stemsIn(turn.text)]));
  return {
    answers,
    questionCount: input.questions.length,
    answeredCount,
    unanswered,
    coverage,
    wordsPerAnswer,
    saidStems,
  };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function listed(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function answeredPhrase(shape: Shape): string {
  if (shape.questionCount === 0) return `gave ${plural(shape.answers.length, 'answer', 'answers')}`;
  return `answered ${shape.answeredCount} of ${plural(shape.questionCount, 'question', 'questions')}`;
}

function wordsPhrase(shape: Shape): string {
  return `about ${plural(Math.round(shape.wordsPerAnswer), 'word', 'words')} per answer`;
}

function keywordPhrase(keywords: Map<string, string>, matched: string[]): string {
  if (keywords.size === 0) return 'the dimension has no keywords to look for';
  if (matched.length === 0)
    return `none of the dimension's ${plural(keywords.size, 'keyword', 'keywords')} mentioned`;
  const shown = matched.slice(0, keywordsShownInRationale);
  const more = matched.length > shown.length ? ` and ${matched.length - shown.length} more` : '';
  return `${matched.length} of the dimension's ${plural(keywords.size, 'keyword', 'keywords')} (${shown.join(', ')}${more}) mentioned`;
}

/** Sentences as exact substrings of the turn, so a quote built from them is found by `checkEvidence`. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => normaliseQuote(sentence) !== '');
}

/** At most `maxEvidenceChars`, cut at a word boundary, and still a prefix of the sentence. */
function clipped(sentence: string): string {
  if (sentence.length <= maxEvidenceChars) return sentence;
  for (let at = maxEvidenceChars; at > 0; at -= 1) {
    if (/\s/.test(sentence[at]!)) return sentence.slice(0, at).trimEnd();
  }
  // One unbroken token: cut inside it, but never between the halves of a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(sentence[maxEvidenceChars - 1]!)
    ? maxEvidenceChars - 1
    : maxEvidenceChars;
  return sentence.slice(0, end);
}

function evidenceFor(shape: Shape, keywords: Map<string, string>, turns: ScoringTurn[]): Evidence[] {
  const candidates = shape.answers.flatMap((turn, turnOrder) =>
    sentences(turn.text).map((text, order) => ({
      turn,
      text,
      hits: [...stemsIn(text)].filter((s) => keywords.has(s)).length,
      position: turnOrder * 10_000 + order,
    })),
  );
  let chosen = candidates
    .filter((sentence) => sentence.hits > 0)
    .sort((a, b) => b.hits - a.hits || b.text.length - a.text.length || a.position - b.position)
    .slice(0, maxEvidence)
    // Read in the order they were said, whichever matched more.
    .sort((a, b) => a.position - b.position);
  if (chosen.length === 0) {
    const longest = shape.answers.reduce<ScoringTurn | null>(
      (best, turn) => (best === null || wordCount(turn.text) > wordCount(best.text) ? turn : best),
      null,
    );
    const fallback = candidates
      .filter((sentence) => sentence.turn === longest)
      .reduce<(typeof candidates)[number] | null>(
        (best, sentence) => (best === null || sentence.text.length > best.text.length ? sentence : best),
        null,
      );
    chosen = fallback ? [fallback] : [];
  }
  const evidence = chosen.map((sentence) => ({ turnId: sentence.turn.id, quote: clipped(sentence.text) }));
  // Built from the transcript, these always pass; checking anyway means this scorer can never be the one
  // that shows a recruiter a quote the candidate did not say.
  return checkEvidence(evidence, turns).kept;
}

/**
 * The built-in scorer: no network, no cost, deterministic. It cannot judge what an answer means, so it
 * does not pretend to: the score comes from how many questions were answered, how long the answers were,
 * and how many of the dimension's own words came up, and the rationale says exactly that.
 */
export function scoreDimensionOffline(input: ScoringInput, dimension: RubricDimension): DimensionResult {
  const shape = shapeOf(input);
  const keywords = dimensionKeywords(dimension);
  if (shape.answers.length === 0) {
    return {
      key: dimension.key,
      score: 1,
      rationale: `Offline estimate (no language model): the candidate ${
        shape.questionCount > 0
          ? `answered none of the ${plural(shape.questionCount, 'question', 'questions')}`
          : 'gave no answers'
      }, so there is nothing to score.`,
      evidence: [],
      droppedEvidence: [],
      reasked: false,
    };
  }
  const matched = [...keywords].filter(([s]) => shape.saidStems.has(s)).map(([, word]) => word);
  const length = Math.min(1, shape.wordsPerAnswer / fullAnswerWords);
  const combined =
    keywords.size > 0
      ? 0.4 * shape.coverage +
        0.3 * length +
        0.3 * Math.min(1, matched.length / Math.min(fullKeywordMatches, keywords.size))
      : // Nothing to match: coverage and length keep their 4:3 balance and share the whole.
        (0.4 * shape.coverage + 0.3 * length) / 0.7;
  // The epsilon keeps a combined value meant to sit exactly on a half step from rounding down by float error.
  const score = Math.min(maxScore, Math.max(1, 1 + Math.round(4 * combined + 1e-9)));
  return {
    key: dimension.key,
    score,
    rationale: `Offline estimate (no language model): ${answeredPhrase(shape)}, ${wordsPhrase(shape)}, ${keywordPhrase(keywords, matched)}.`,
    evidence: evidenceFor(shape, keywords, input.turns),
    droppedEvidence: [],
    reasked: false,
  };
}

function questionsPhrase(indices: number[]): string {
  const numbers = indices.map((index) => String(index + 1));
  return numbers.length === 1
    ? `Question ${numbers[0]} was not answered`
    : `Questions ${listed(numbers)} were not answered`;
}

export function summariseOffline(input: ScoringInput): SummaryResult {
  const shape = shapeOf(input);
  const preface =
    "Offline estimate from the transcript's shape (questions answered, length of answers, rubric terms mentioned), not a judgement of what the candidate said";
  if (shape.answers.length === 0) {
    return {
      summary: `${preface}: the candidate did not answer any question.`,
      strengths: [],
      concerns: ['No question was answered'],
    };
  }
  const strengths: string[] = [];
  const concerns: string[] = [];
  if (shape.questionCount > 0 && shape.unanswered.length === 0) strengths.push('Answered every question');
  if (shape.unanswered.length > 0) concerns.push(questionsPhrase(shape.unanswered));
  const words = Math.round(shape.wordsPerAnswer);
  if (shape.wordsPerAnswer >= fullAnswerWords)
    strengths.push(`Answers were detailed (about ${words} words on average)`);
  if (shape.wordsPerAnswer < shortAnswerWords) {
    concerns.push(`Answers were short (about ${plural(words, 'word', 'words')} on average)`);
  }
  for (const dimension of input.dimensions) {
    const keywords = dimensionKeywords(dimension);
    if (keywords.size === 0) continue;
    const matched = [...keywords].filter(([s]) => shape.saidStems.has(s)).map(([, word]) => word);
    if (matched.length >= Math.min(fullKeywordMatches, keywords.size)) {
      strengths.push(
        `Mentioned terms related to ${dimension.name} (${matched.slice(0, keywordsShownInRationale).join(', ')})`,
      );
    } else if (matched.length === 0) {
      concerns.push(`No terms related to ${dimension.name} came up`);
    }
  }
  return {
    summary: `${preface}: the candidate ${answeredPhrase(shape)}, ${wordsPhrase(shape)}.`,
    // The transcript-wide points first, then the dimensions in rubric order, as far as the cap allows.
    strengths: strengths.slice(0, maxSummaryPoints),
    concerns: concerns.slice(0, maxSummaryPoints),
  };
}

/** The offline scorer as a `Scorer`, named `offline` on the scorecard; it costs no tokens. */
export const offlineScorer: Scorer = {
  model: 'offline',
  promptVersion: offlineScorerVersion,
  scoreDimension: async (input, dimension) => ({
    value: scoreDimensionOffline(input, dimension),
    usage: noUsage,
  }),
  summarise: async (input) => ({ value: summariseOffline(input), usage: noUsage }),
};
