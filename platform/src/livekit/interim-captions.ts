import type { Logger } from 'pino';
import type { SpeechToText } from '../providers/providers.ts';
import { encodeWav } from './pcm.ts';

export interface InterimCaptionsOptions {
  speechToText: SpeechToText;
  /** The job's language, for speech-to-text. */
  language: string;
  /** Of the phrases, mono. */
  sampleRate: number;
  logger: Logger;
  /** The caption of the utterance under way so far, each time it grows. */
  onCaption: (text: string) => void;
}

/**
 * Interim captions of the candidate's utterance under way: each phrase (up to a short pause) is transcribed
 * as it ends, one request at a time, and the caption grows by its words.
 */
export class InterimCaptions {
  readonly #o: InterimCaptionsOptions;
  #utterance = 0;
  #partial = '';
  #captioning = false;
  #pendingPhrase: Int16Array | null = null;
  #closed = false;

  constructor(options: InterimCaptionsOptions) {
    this.#o = options;
  }

  /** A phrase of the utterance under way ended. */
  phrase(audio: Int16Array): void {
    const pending = this.#pendingPhrase;
    if (pending) {
      const joined = new Int16Array(pending.length + audio.length);
      joined.set(pending);
      joined.set(audio, pending.length);
      this.#pendingPhrase = joined;
    } else {
      this.#pendingPhrase = audio;
    }
    void this.#captionNext();
  }

  /** The utterance ended: the next phrase starts a new caption. */
  utteranceEnded(): void {
    this.#utterance += 1;
    this.#partial = '';
    this.#pendingPhrase = null;
  }

  /** The agent has left: no more captions. */
  close(): void {
    this.#closed = true;
  }

  async #captionNext(): Promise<void> {
    if (this.#captioning || !this.#pendingPhrase) return;
    const audio = this.#pendingPhrase;
    const utterance = this.#utterance;
    this.#pendingPhrase = null;
    this.#captioning = true;
    try {
      const { text } = await this.#o.speechToText.transcribe(
        { bytes: encodeWav(audio, this.#o.sampleRate), contentType: 'audio/wav' },
        { language: this.#o.language },
      );
      const words = text.trim();
      // A caption for an utterance that has ended meanwhile is stale: its transcript is on its way.
      if (words && utterance === this.#utterance && !this.#closed) {
        this.#partial = this.#partial ? `${this.#partial} ${words}` : words;
        this.#o.onCaption(this.#partial);
      }
    } catch (err) {
      this.#o.logger.debug({ err }, 'no interim caption for a phrase');
    } finally {
      this.#captioning = false;
      void this.#captionNext();
    }
  }
}
