import type { Logger } from 'pino';
import type { AsyncQueue } from '../engine/async-queue.ts';
import type { TextToSpeech } from '../providers/providers.ts';
import { sentences } from '../providers/sentences.ts';

/** An interviewer turn as the agent reads it from the session's events, and speaks it. */
export interface InterviewerTurn {
  id: string;
  text: string;
  /** Its `interviewer.done` arrived: the text is whole and the turn is in the transcript. */
  done: boolean;
  /** The candidate has answered since (by voice or by text). */
  answered: boolean;
  /** While the turn is being spoken: its text deltas, for text-to-speech. */
  speaking: AsyncQueue<string> | null;
  /**
   * The interviewer broke off (an `error` instead of `interviewer.done`): no more of it is coming, and it is
   * tried again whole, under a new id. What is being said of it plays out; it is never started.
   */
  broken: boolean;
  /** Playing it into the room failed: the candidate reads it as captions, as when its speech fails. */
  unplayable: boolean;
}

/** Turn `id` as its first event finds it: nothing said, nothing heard. */
export function newInterviewerTurn(id: string): InterviewerTurn {
  return {
    id,
    text: '',
    done: false,
    answered: false,
    speaking: null,
    broken: false,
    unplayable: false,
  };
}

export interface TurnSpeechOptions {
  textToSpeech: TextToSpeech;
  /** The job's voice for text-to-speech. */
  voice: string;
  logger: Logger;
}

/**
 * The speech of `turn` for the speech player: its text as `deltas` bring it, sentence by sentence, through
 * text-to-speech as PCM. It ends early, without an error, when the speech fails.
 */
export function turnSpeech(
  turn: InterviewerTurn,
  deltas: AsyncIterable<string>,
  { textToSpeech, voice, logger }: TurnSpeechOptions,
): (signal: AbortSignal) => AsyncIterable<Uint8Array> {
  return async function* speech(signal: AbortSignal): AsyncIterable<Uint8Array> {
    try {
      for await (const sentence of sentences(deltas)) {
        // Of a turn that broke off, the sentence being said is finished; the rest (a fragment, perhaps) is
        // not.
        if (signal.aborted || turn.broken) return;
        yield* textToSpeech.synthesize(sentence, { voice, format: 'pcm', signal });
      }
    } catch (err) {
      // As over HTTP: the turn goes on as captions when its speech fails.
      if (!signal.aborted) logger.warn({ err, turn_id: turn.id }, 'text-to-speech failed for this turn');
    }
  };
}
