/**
 * Streaming voice-activity detection on the candidate's microphone, one 10 ms window at a time: an energy
 * detector with an adaptive noise floor and hysteresis, the same rules as the widget's detector for the
 * HTTP transport (sdk/src/audio/voice-activity.ts), so an answer ends after the same silence whichever
 * transport carries it. Times are stream times (samples heard), never the wall clock, so the same audio
 * always gives the same decisions.
 *
 * - `onset`: a window loud enough to be speech; the utterance is kept from here (and a little before).
 * - `cancel`: the onset did not last `startMs` (a click, a cough): forget it.
 * - `start`: speech, confirmed after `startMs`.
 * - `pause`: `phrasePauseMs` without speech inside an utterance: a phrase ended (for interim captions).
 * - `end`: `silenceMs` without speech: the utterance is over.
 */
export interface VoiceActivityOptions {
  /** RMS level (0 to 1) at or above which a window is speech. Default 0.02 (about -34 dBFS). */
  threshold?: number;
  /** Once speaking, windows down to `threshold * holdRatio` still count, so soft word endings do not cut. */
  holdRatio?: number;
  /** How long speech must go on from its onset to count. Default 150 ms. */
  startMs?: number;
  /** During an onset, a gap longer than this cancels it. Default 120 ms. */
  onsetGapMs?: number;
  /** The silence that ends an utterance. Default 1800 ms, the widget's. */
  silenceMs?: number;
  /** The shorter silence that ends a phrase within an utterance. Default 350 ms. */
  phrasePauseMs?: number;
  /** The threshold rises to this many times the noise floor, in a noisy room. Default 3. */
  noiseRatio?: number;
}

export type VoiceActivity =
  | { type: 'onset'; atMs: number }
  | { type: 'cancel'; atMs: number }
  | { type: 'start'; atMs: number; onsetAtMs: number }
  | { type: 'pause'; atMs: number; lastSpeechAtMs: number }
  | { type: 'end'; atMs: number; lastSpeechAtMs: number };

type Phase = 'silence' | 'onset' | 'speech';

// How fast the noise floor follows quiet windows: about a second to settle at 100 windows a second.
const noiseFloorRate = 0.01;

export class VoiceActivityDetector {
  readonly #threshold: number;
  readonly #holdRatio: number;
  readonly #startMs: number;
  readonly #onsetGapMs: number;
  readonly #silenceMs: number;
  readonly #phrasePauseMs: number;
  readonly #noiseRatio: number;
  #phase: Phase = 'silence';
  #onsetAt = 0;
  #lastSpeechAt = 0;
  #pauseSent = false;
  #noiseFloor = 0;

  constructor(options: VoiceActivityOptions = {}) {
    this.#threshold = options.threshold ?? 0.02;
    this.#holdRatio = options.holdRatio ?? 0.5;
    this.#startMs = options.startMs ?? 150;
    this.#onsetGapMs = options.onsetGapMs ?? 120;
    this.#silenceMs = options.silenceMs ?? 1800;
    this.#phrasePauseMs = options.phrasePauseMs ?? 350;
    this.#noiseRatio = options.noiseRatio ?? 3;
  }

  get speaking(): boolean {
    return this.#phase === 'speech';
  }

  /** Whether an utterance is under way: in an onset or in confirmed speech. */
  get active(): boolean {
    return this.#phase !== 'silence';
  }

  /** The end of the last window that counted as speech, in stream time. */
  get lastSpeechAtMs(): number {
    return this.#lastSpeechAt;
  }

  get threshold(): number {
    return Math.max(this.#threshold, this.#noiseFloor * this.#noiseRatio);
  }

  /** One window of audio, by its level (RMS, 0 to 1), ending at `atMs` of the stream. */
  push(level: number, atMs: number): VoiceActivity | null {
    const threshold = this.threshold;
    switch (this.#phase) {
      case 'silence':
        if (level >= threshold) {
          this.#phase = 'onset';
          this.#onsetAt = atMs;
          this.#lastSpeechAt = atMs;
          return { type: 'onset', atMs };
        }
        this.#noiseFloor += (level - this.#noiseFloor) * noiseFloorRate;
        return null;
      case 'onset':
        if (level >= threshold) {
          this.#lastSpeechAt = atMs;
          if (atMs - this.#onsetAt >= this.#startMs) {
            this.#phase = 'speech';
            this.#pauseSent = false;
            return { type: 'start', atMs, onsetAtMs: this.#onsetAt };
          }
          return null;
        }
        if (atMs - this.#lastSpeechAt > this.#onsetGapMs) {
          this.#phase = 'silence';
          return { type: 'cancel', atMs };
        }
        return null;
      case 'speech':
        if (level >= threshold * this.#holdRatio) {
          this.#lastSpeechAt = atMs;
          this.#pauseSent = false;
          return null;
        }
        if (atMs - this.#lastSpeechAt >= this.#silenceMs) {
          this.#phase = 'silence';
          return { type: 'end', atMs, lastSpeechAtMs: this.#lastSpeechAt };
        }
        if (!this.#pauseSent && atMs - this.#lastSpeechAt >= this.#phrasePauseMs) {
          this.#pauseSent = true;
          return { type: 'pause', atMs, lastSpeechAtMs: this.#lastSpeechAt };
        }
        return null;
    }
  }

  /** Ends any utterance under way at once (the longest answer was reached); the noise floor is kept. */
  reset(): void {
    this.#phase = 'silence';
  }
}
