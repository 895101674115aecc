import type { InterviewEngine } from '../engine/engine.ts';
import { ApiError } from '../http/api-error.ts';
import { inspectAudio, maxAnswerBytes, maxAnswerSeconds } from '../sessions/audio-answer.ts';
import { encodeWav } from './pcm.ts';

/** A WAV file's header, before its samples (see encodeWav). */
const wavHeaderBytes = 44;

/** An utterance of the candidate, or several in a row, on its way to being an answer. */
export interface SpokenAnswer {
  /** At the listener's rate, mono. */
  audio: Int16Array;
  sampleRate: number;
  /**
   * The interviewer turn it answers: the one the candidate interrupted, or else the latest they could hear or
   * read as they began. Null before any.
   */
  turnId: string | null;
}

/**
 * The most samples (16-bit mono, at `sampleRate`) a spoken answer may have: the limits of an uploaded
 * answer, `maxAnswerSeconds` and, as the WAV it is committed as, `maxAnswerBytes`.
 */
export function longestAnswerSamples(sampleRate: number): number {
  return Math.min(maxAnswerSeconds * sampleRate, Math.floor((maxAnswerBytes - wavHeaderBytes) / 2));
}

/**
 * Commits `answer` as the candidate's answer, through the same path as an uploaded WAV: stored, transcribed
 * and evented exactly like `POST /v1/session/answers` with audio. Throws the engine's error when it is not
 * taken.
 */
export async function commitSpokenAnswer(
  engine: InterviewEngine,
  interviewId: string,
  answer: SpokenAnswer,
): Promise<void> {
  const wav = encodeWav(answer.audio, answer.sampleRate);
  const { contentType, durationMs } = inspectAudio(wav, 'audio/wav');
  for (let attempt = 1; ; attempt++) {
    try {
      await engine.answer(interviewId, { audio: { bytes: wav, contentType, durationMs } });
      return;
    } catch (err) {
      // Speech-to-text failed and nothing was committed: once more, as a widget retries an upload.
      if (err instanceof ApiError && err.code === 'service_unavailable' && attempt < 2) continue;
      throw err;
    }
  }
}
