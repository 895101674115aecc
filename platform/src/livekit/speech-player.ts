import { durationMs, PcmFramer } from './pcm.ts';
import type { AudioOutput } from './room.ts';

export type PlayOutcome = 'played' | 'stopped';

/**
 * The agent's mouth: plays one interviewer turn at a time into the room's audio track, from speech as it
 * streams out of text-to-speech (16-bit mono PCM in chunks of any size), in 10 ms frames. It knows how much
 * of the turn the room has heard, which is what a barge-in records.
 */
export class SpeechPlayer {
  readonly #output: AudioOutput;
  #turnId: string | null = null;
  #abort: AbortController | null = null;
  #capturedMs = 0;
  #stoppedAtMs: number | null = null;
  /** Audible as last told through `onChange`. */
  #wasAudible = false;
  #silenceCheck: NodeJS.Timeout | null = null;

  readonly #onChange: () => void;

  /** `onChange` is called when the agent starts or stops being audible. */
  constructor(output: AudioOutput, onChange: () => void = () => undefined) {
    this.#output = output;
    this.#onChange = onChange;
  }

  /** The turn being played, from the call to `play` until it has played out or was stopped. */
  get turnId(): string | null {
    return this.#turnId;
  }

  /**
   * Whether the agent is audibly speaking: audio of the current turn is queued and playing. A turn whose
   * text is still coming (the model is slow, or broke off) may have played all it has: then it is not.
   */
  get audible(): boolean {
    return this.#turnId !== null && this.#output.queuedMs() > 0;
  }

  /** How much of the current turn the room has heard so far, in milliseconds. */
  get heardMs(): number {
    if (this.#stoppedAtMs !== null) return this.#stoppedAtMs;
    return Math.max(0, Math.round(this.#capturedMs - this.#output.queuedMs()));
  }

  /**
   * Plays the turn whose speech `speech` streams (it gets a signal that aborts when the turn is stopped, for
   * the text-to-speech requests behind it). Resolves once it has played out, or at once when stopped.
   */
  async play(
    turnId: string,
    speech: (signal: AbortSignal) => AsyncIterable<Uint8Array>,
  ): Promise<PlayOutcome> {
    this.stop();
    const abort = new AbortController();
    this.#turnId = turnId;
    this.#abort = abort;
    this.#capturedMs = 0;
    this.#stoppedAtMs = null;
    const framer = new PcmFramer(this.#output.sampleRate);
    try {
      for await (const chunk of speech(abort.signal)) {
        if (abort.signal.aborted) break;
        for (const frame of framer.push(chunk)) {
          if (abort.signal.aborted) break;
          await this.#output.captureFrame(frame);
          this.#captured(frame.samplesPerChannel, frame.sampleRate);
        }
      }
      const rest = framer.flush();
      if (rest && !abort.signal.aborted) {
        await this.#output.captureFrame(rest);
        this.#captured(rest.samplesPerChannel, rest.sampleRate);
      }
      if (!abort.signal.aborted) await this.#output.waitForPlayout();
    } catch (error) {
      // A stopped turn's text-to-speech request fails with the abort: that is the stop, not a failure.
      if (!abort.signal.aborted) throw error;
    } finally {
      if (this.#abort === abort) {
        this.#turnId = null;
        this.#abort = null;
        this.#quiet();
        this.#onChange();
      }
    }
    return abort.signal.aborted ? 'stopped' : 'played';
  }

  #captured(samples: number, sampleRate: number): void {
    this.#capturedMs += durationMs(samples, sampleRate);
    if (!this.#wasAudible) {
      this.#wasAudible = true;
      this.#onChange();
    }
    this.#watchForSilence();
  }

  /** Tells `onChange` when the queue runs dry while the turn is still open (its text has not all come). */
  #watchForSilence(): void {
    if (this.#silenceCheck) return;
    this.#silenceCheck = setTimeout(() => {
      this.#silenceCheck = null;
      if (!this.#wasAudible) return;
      if (this.#turnId !== null && this.#output.queuedMs() > 0) {
        this.#watchForSilence();
        return;
      }
      this.#wasAudible = false;
      this.#onChange();
    }, Math.ceil(this.#output.queuedMs()) + 1);
    this.#silenceCheck.unref();
  }

  #quiet(): void {
    this.#wasAudible = false;
    if (this.#silenceCheck) clearTimeout(this.#silenceCheck);
    this.#silenceCheck = null;
  }

  /** Stops the current turn at once (barge-in): the queued audio is dropped. Returns what was heard, in ms. */
  stop(): number {
    if (!this.#abort) return 0;
    const heard = this.heardMs;
    this.#stoppedAtMs = heard;
    this.#abort.abort();
    this.#output.clear();
    this.#turnId = null;
    this.#abort = null;
    this.#quiet();
    this.#onChange();
    return heard;
  }
}
