/**
 * Cuts a stream of text deltas into sentences, each yielded the moment it is known to be complete, so
 * text-to-speech can start on the first sentence while the model is still writing the rest.
 *
 * A Latin sentence ends with `.`, `!`, `?` or `…` (a run of them, then any closing quotes or brackets),
 * followed by whitespace and a next word that does not start in lower case: that last rule keeps
 * "Well... maybe" and "approx. five" whole, at the cost of waiting for the next word's first letter.
 * Known abbreviations ("Dr. Smith", "e.g. React") and initials never end a sentence, and decimals
 * ("3.5") never do since no whitespace follows the point. CJK sentences end at 。！？ with no space after.
 */
export async function* sentences(deltas: AsyncIterable<string>): AsyncIterable<string> {
  let buffer = '';
  // Where the next scan starts: text before it holds no undecided sentence end.
  let scanFrom = 0;
  for await (const delta of deltas) {
    buffer += delta;
    for (;;) {
      const cut = nextSentenceEnd(buffer, scanFrom);
      if (cut.end === null) {
        scanFrom = cut.resumeAt;
        break;
      }
      const sentence = buffer.slice(0, cut.end).trim();
      buffer = buffer.slice(cut.end);
      scanFrom = 0;
      if (sentence) yield sentence;
    }
  }
  const rest = buffer.trim();
  if (rest) yield rest;
}

const terminatorRun = /[.!?…。！？]+[)\]}"'»”’」』）]*/gu;
const cjkTerminator = /[。！？]/u;

// Lower-cased, without their final point. Titles mostly, plus the Latin shorthands an interviewer uses.
const abbreviations = new Set([
  'mr',
  'mrs',
  'ms',
  'mx',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'vs',
  'etc',
  'approx',
  'inc',
  'ltd',
  'corp',
  'dept',
  'fig',
  'cf',
]);

/**
 * The end of the first complete sentence at or after `from`, or null with where to resume once more
 * text has arrived (the start of a run of terminators whose fate depends on what follows).
 */
function nextSentenceEnd(text: string, from: number): { end: number } | { end: null; resumeAt: number } {
  terminatorRun.lastIndex = from;
  for (let match = terminatorRun.exec(text); match; match = terminatorRun.exec(text)) {
    const end = match.index + match[0].length;
    // Too early to tell: the run may grow ("." then ".."), or a closing quote may follow.
    if (end >= text.length) return { end: null, resumeAt: match.index };
    if (cjkTerminator.test(match[0])) return { end };
    if (!/\s/u.test(text[end]!)) continue;
    const next = /\S/u.exec(text.slice(end));
    if (!next) return { end: null, resumeAt: match.index };
    if (/\p{Ll}/u.test(next[0])) continue;
    if (match[0] === '.' && isAbbreviation(text.slice(0, match.index + 1))) continue;
    return { end };
  }
  return { end: null, resumeAt: text.length };
}

/** Whether the word ending at the final point of `before` is an abbreviation or initials ("e.g.", "J.", "U.S."). */
function isAbbreviation(before: string): boolean {
  const word = /[^\s([{"'“‘«]+$/u.exec(before)?.[0];
  if (!word) return false;
  // "I." is a pronoun far more often than an initial.
  if (word !== 'I.' && /^(\p{L}\.)+$/u.test(word)) return true;
  return abbreviations.has(word.slice(0, -1).toLowerCase());
}
