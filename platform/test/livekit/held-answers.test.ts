import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { HeldAnswers } from '../../src/livekit/held-answers.ts';
import { longestAnswerSamples, type SpokenAnswer } from '../../src/livekit/spoken-answer.ts';
import { maxAnswerBytes, maxAnswerSeconds } from '../../src/sessions/audio-answer.ts';

/**
 * Utterances held for the candidate's turn are joined into one answer, but never past the limits of an
 * uploaded answer (`POST /v1/session/answers`: 300 s, 10 MiB): over LiveKit there is no upload to limit.
 */

const rate = 16_000;
const utterance = (seconds: number, value: number, turnId = 'turn_1'): SpokenAnswer => ({
  audio: new Int16Array(seconds * rate).fill(value),
  sampleRate: rate,
  turnId,
});

function heldAnswers() {
  const lines: { msg: string; dropped_ms?: number }[] = [];
  const answers = new HeldAnswers(pino({}, { write: (line: string) => lines.push(JSON.parse(line)) }));
  // The candidate's turn has come (one `state` seen), so `take` gives what is held.
  answers.stateSeen();
  return { answers, lines };
}

describe('answers held over LiveKit', () => {
  it('are as long as an upload may be, and no longer', () => {
    expect(longestAnswerSamples(16_000)).toBe(maxAnswerSeconds * 16_000);
    // At 48 kHz, 300 s of WAV would pass 10 MiB: the size is the limit then.
    expect(longestAnswerSamples(48_000)).toBe((maxAnswerBytes - 44) / 2);
    expect(44 + 2 * longestAnswerSamples(48_000)).toBeLessThanOrEqual(maxAnswerBytes);
  });

  it('join utterances to one question in the order said, cut at the longest answer taken', () => {
    const { answers, lines } = heldAnswers();
    answers.utterance(utterance(200, 1));
    answers.utterance(utterance(200, 2));
    // Past the limit already: nothing more of it is kept.
    answers.utterance(utterance(5, 3));
    const taken = answers.take('turn_1');
    expect(taken?.answer.audio.length).toBe(maxAnswerSeconds * rate);
    const audio = taken!.answer.audio;
    expect([audio[0], audio[200 * rate - 1], audio[200 * rate], audio.at(-1)]).toEqual([1, 1, 2, 2]);
    expect(lines.map((l) => [l.msg, l.dropped_ms])).toEqual([
      ['the candidate spoke past the longest answer taken: the rest is not part of the answer', 100_000],
      ['the candidate spoke past the longest answer taken: the rest is not part of the answer', 5000],
    ]);
  });

  it('cut one utterance longer than the longest answer taken', () => {
    const { answers } = heldAnswers();
    answers.utterance(utterance(maxAnswerSeconds + 1, 1));
    expect(answers.take('turn_1')?.answer.audio.length).toBe(maxAnswerSeconds * rate);
  });

  it('keep utterances within the limit whole', () => {
    const { answers, lines } = heldAnswers();
    answers.utterance(utterance(2, 1));
    answers.utterance(utterance(3, 2));
    expect(answers.take('turn_1')?.answer.audio.length).toBe(5 * rate);
    expect(lines).toEqual([]);
  });
});
