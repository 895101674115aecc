import type { Evidence, ScoringTurn } from './scoring-types.ts';

/** A scorer quoting half the transcript is not pointing at evidence, whether or not the text matches. */
export const maxQuoteLength = 500;

// Models "improve" quotes typographically; mapping these to ASCII on both sides keeps that from failing an
// otherwise exact quote. ″ is listed because NFKC would turn it into two primes rather than one quote.
const typographic: [RegExp, string][] = [
  [/[‘’‚′]/g, "'"],
  [/[“”„″]/g, '"'],
  [/[–—]/g, '-'],
];

// Quote marks and the ellipses a model wraps around an excerpt ("...we scaled it…") belong to the quoting,
// not to what was said. A single full stop stays: it may be the candidate's own punctuation.
const wrappingChars = new Set([' ', "'", '"', '`', '…']);

// A scan rather than an anchored regex: a trailing `(…|\.{3,})+$` backtracks badly on long runs of dots.
function stripWrapping(text: string): string {
  let start = 0;
  let end = text.length;
  for (;;) {
    if (start < end && wrappingChars.has(text[start]!)) start += 1;
    else if (end - start >= 3 && text.startsWith('...', start))
      while (start < end && text[start] === '.') start += 1;
    else break;
  }
  for (;;) {
    if (end > start && wrappingChars.has(text[end - 1]!)) end -= 1;
    else if (end - start >= 3 && text.endsWith('...', end))
      while (end > start && text[end - 1] === '.') end -= 1;
    else break;
  }
  return text.slice(start, end);
}

// Greek lower-cases Σ to ς or σ by its place in a word; folded alone, a character cannot know its place.
const caseVariants: [RegExp, string][] = [[/ς/g, 'σ']];

function foldTypography(text: string): string {
  let out = text;
  for (const [pattern, replacement] of typographic) out = out.replace(pattern, replacement);
  return out;
}

/** One grapheme in the form it is compared in. NFKC never reaches across graphemes, so each folds alone. */
function foldGrapheme(grapheme: string): string {
  // Typography again after NFKC, which can itself produce some of it (from compatibility forms).
  let out = foldTypography(foldTypography(grapheme).normalize('NFKC').toLowerCase());
  for (const [pattern, replacement] of caseVariants) out = out.replace(pattern, replacement);
  return out;
}

/** Text in its compared form, and for each of its UTF-16 units the original range it came from. */
interface FoldedText {
  text: string;
  starts: number[];
  ends: number[];
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Folds typography, case and compatibility forms, and collapses whitespace to single spaces (none at either
 * end), keeping track of where each character came from, so a match can be read back in the original.
 */
function foldText(original: string): FoldedText {
  const folded: FoldedText = { text: '', starts: [], ends: [] };
  const units: string[] = [];
  for (const { segment, index } of graphemes.segment(original)) {
    const end = index + segment.length;
    for (const unit of foldGrapheme(segment)) {
      const space = /\s/.test(unit);
      if (space && (units.length === 0 || units.at(-1) === ' ')) continue;
      units.push(space ? ' ' : unit);
      folded.starts.push(index);
      folded.ends.push(end);
    }
  }
  if (units.at(-1) === ' ') {
    units.pop();
    folded.starts.pop();
    folded.ends.pop();
  }
  folded.text = units.join('');
  return folded;
}

/** The form a quote is compared in: what was said, independent of typography, case, spacing and wrapping. */
export function normaliseQuote(quote: string): string {
  return stripWrapping(foldText(quote).text);
}

// Letters, digits and marks make up words, except in scripts written without spaces between words, where a
// quote may start or end at any character.
const wordCharacter = /[\p{L}\p{N}\p{M}]/u;
const unspacedScript =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

function inWord(character: string | undefined): boolean {
  return character !== undefined && wordCharacter.test(character) && !unspacedScript.test(character);
}

/** Whether `at` falls between words rather than inside one ("ow th" does not quote "I know the answer"). */
function atWordBoundary(text: string, at: number): boolean {
  // Whole characters either side: two UTF-16 units hold at least one, and spreading splits by code point.
  const previous = [...text.slice(Math.max(0, at - 2), at)].at(-1);
  const next = [...text.slice(at, at + 2)][0];
  return !(inWord(previous) && inWord(next));
}

/** Where `quote` first occurs in `said` as whole words, or -1. */
function findWholeWords(said: string, quote: string): number {
  for (let at = said.indexOf(quote); at !== -1; at = said.indexOf(quote, at + 1)) {
    if (atWordBoundary(said, at) && atWordBoundary(said, at + quote.length)) return at;
  }
  return -1;
}

/**
 * Keeps a quote only when it occurs, as whole words, in the candidate turn it cites, and keeps it as the
 * transcript spells it: the scorer's spelling (its case, its curly quotes, its ellipses) is only how it found
 * the words. Whatever a scorer claims the candidate said must be checkable against the transcript; the
 * interviewer's words are never evidence about the candidate, so citing them drops the quote too.
 */
export function checkEvidence(
  evidence: Evidence[],
  turns: ScoringTurn[],
): { kept: Evidence[]; dropped: Evidence[] } {
  const turnsById = new Map(turns.map((turn) => [turn.id, turn]));
  const foldedTurns = new Map<string, FoldedText>();
  const seen = new Set<string>();
  const kept: Evidence[] = [];
  const dropped: Evidence[] = [];
  for (const item of evidence) {
    const quote = normaliseQuote(item.quote);
    const turn = turnsById.get(item.turnId);
    if (!quote || quote.length > maxQuoteLength || !turn || turn.speaker !== 'candidate') {
      dropped.push(item);
      continue;
    }
    let said = foldedTurns.get(turn.id);
    if (said === undefined) {
      said = foldText(turn.text);
      foldedTurns.set(turn.id, said);
    }
    const at = findWholeWords(said.text, quote);
    if (at === -1) {
      dropped.push(item);
      continue;
    }
    // JSON keeps the two parts apart whatever characters either holds.
    const identity = JSON.stringify([turn.id, quote]);
    if (seen.has(identity)) continue;
    seen.add(identity);
    kept.push({ turnId: turn.id, quote: turn.text.slice(said.starts[at], said.ends[at + quote.length - 1]) });
  }
  return { kept, dropped };
}
