/**
 * When the candidate speaks: a small energy-based voice-activity detector, deterministic and free of Web
 * Audio, so it can be tested on arrays of samples. The microphone feeds it the analyser's frames with their
 * times; it answers with what changed.
 *
 * - `onset`: a frame loud enough to be speech. Recording starts here, so the first syllable is kept.
 * - `cancel`: the onset did not last `startMs` (a cough, a door): drop what was recorded.
 * - `start`: speech, confirmed after `startMs`. The interviewer is interrupted only now.
 * - `end`: `silenceMs` without speech: the answer is over.
 */
export interface VoiceActivityOptions {
  /** RMS level (0 to 1) at or above which a frame is speech. Default 0.02 (about -34 dBFS). */
  threshold?: number;
  /** Once speaking, frames down to `threshold * holdRatio` still count as speech, so soft endings of words
   * do not cut an answer. Default 0.5. */
  holdRatio?: number;
  /** How long speech must go on, from its onset, to count. Default 150 ms. */
  startMs?: number;
  /** During an onset, a pause longer than this cancels it. Default 120 ms. */
  onsetGapMs?: number;
  /** The silence that ends speech. Default 1800 ms. */
  silenceMs?: number;
  /** The threshold rises to this many times the room's noise floor, in a noisy room. Default 3. */
  noiseRatio?: number;
}

export type VoiceActivity =
  | { type: 'onset'; atMs: number }
  | { type: 'cancel'; atMs: number }
  | { type: 'start'; atMs: number; onsetAtMs: number }
  | { type: 'end'; atMs: number; lastSpeechAtMs: number };

/** The root mean square of a frame of samples (-1 to 1): its loudness, 0 to 1. */
export function frameLevel(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    sum += sample * sample;
  }
  return Math.sqrt(sum / samples.length);
}

type Phase = 'silence' | 'onset' | 'speech';

// How fast the noise floor follows quiet frames: about a second to settle at 20 frames a second.
const noiseFloorRate = 0.05;

export class VoiceActivityDetector {
  readonly #threshold: number;
  readonly #holdRatio: number;
  readonly #startMs: number;
  readonly #onsetGapMs: number;
  readonly #silenceMs: number;
  readonly #noiseRatio: number;
  #phase: Phase = 'silence';
  #onsetAt = 0;
  #lastSpeechAt = 0;
  #noiseFloor = 0;

  constructor(options: VoiceActivityOptions = {}) {
    this.#threshold = options.threshold ?? 0.02;
    this.#holdRatio = options.holdRatio ?? 0.5;
    this.#startMs = options.startMs ?? 150;
    this.#onsetGapMs = options.onsetGapMs ?? 120;
    this.#silenceMs = options.silenceMs ?? 1800;
    this.#noiseRatio = options.noiseRatio ?? 3;
  }

  /** Whether speech has been confirmed and not yet ended. */
  get speaking(): boolean {
    return this.#phase === 'speech';
  }

  /** The level at or above which a frame counts as speech now. */
  get threshold(): number {
    return Math.max(this.#threshold, this.#noiseFloor * this.#noiseRatio);
  }

  /** One frame of samples, captured at `atMs` (any monotonic clock). */
  push(samples: ArrayLike<number>, atMs: number): VoiceActivity | null {
    return this.pushLevel(frameLevel(samples), atMs);
  }

  /** One frame, given by its level (RMS). */
  pushLevel(level: number, atMs: number): VoiceActivity | null {
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
          return null;
        }
        if (atMs - this.#lastSpeechAt >= this.#silenceMs) {
          this.#phase = 'silence';
          return { type: 'end', atMs, lastSpeechAtMs: this.#lastSpeechAt };
        }
        return null;
    }
  }

  /** Forgets any speech in progress (on mute), keeping the learned noise floor. */
  reset(): void {
    this.#phase = 'silence';
  }
}
