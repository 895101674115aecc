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

function normaliseText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of typographic) out = out.replace(pattern, replacement);
  out = out.normalize('NFKC').toLowerCase();
  // Again after NFKC, which can itself produce some of these (from compatibility forms).
  for (const [pattern, replacement] of typographic) out = out.replace(pattern, replacement);
  return out.replace(/\s+/g, ' ').trim();
}

/** The form a quote is compared in: what was said, independent of typography, case, spacing and wrapping. */
export function normaliseQuote(quote: string): string {
  return stripWrapping(normaliseText(quote));
}

/**
 * Keeps a quote only when it occurs in the candidate turn it cites. Whatever a scorer claims the candidate
 * said must be checkable against the transcript; the interviewer's words are never evidence about the
 * candidate, so citing them drops the quote too.
 */
export function checkEvidence(
  evidence: Evidence[],
  turns: ScoringTurn[],
): { kept: Evidence[]; dropped: Evidence[] } {
  const turnsById = new Map(turns.map((turn) => [turn.id, turn]));
  const normalisedTurns = new Map<string, string>();
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
    let said = normalisedTurns.get(turn.id);
    if (said === undefined) {
      said = normaliseText(turn.text);
      normalisedTurns.set(turn.id, said);
    }
    if (!said.includes(quote)) {
      dropped.push(item);
      continue;
    }
    // JSON keeps the two parts apart whatever characters either holds.
    const identity = JSON.stringify([turn.id, quote]);
    if (seen.has(identity)) continue;
    seen.add(identity);
    kept.push({ turnId: item.turnId, quote: item.quote.trim() });
  }
  return { kept, dropped };
}
