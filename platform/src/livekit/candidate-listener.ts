import { monoSamples, type PcmFrame, rmsLevel } from './pcm.ts';
import { Resampler } from './resampler.ts';
import { VoiceActivityDetector, type VoiceActivityOptions } from './voice-activity.ts';

/**
 * The interviewer agent's ears: the candidate's microphone frames (from LiveKit, 48 kHz, 10 or 20 ms, any
 * channel count) go in; utterances at speech-to-text's rate come out, with the moments the agent acts on.
 * Frames are mixed to mono, resampled, and cut into 10 ms windows for voice-activity detection, so the
 * decisions do not depend on how the room framed the audio.
 */
export interface CandidateListenerOptions extends VoiceActivityOptions {
  /** The rate utterances come out at, for speech-to-text. Default 16 kHz. */
  outputRate?: number;
  /** Audio kept from before the onset, so the first syllable is not clipped. Default 300 ms. */
  preRollMs?: number;
  /** Silence kept after the last speech. Default 300 ms. */
  tailMs?: number;
  /** A phrase with no pause is cut here for its interim caption. Default 5 s. */
  maxPhraseMs?: number;
  /** An utterance is cut here, the longest answer the platform takes. Default 300 s. */
  maxUtteranceMs?: number;
  /**
   * How long the candidate must speak over the interviewer before it stops (barge-in). Longer than the
   * detector's `startMs`, so a short "mm-hm" while listening does not cut the interviewer off. Default 250 ms.
   */
  bargeInMs?: number;
}

export type ListenerEvent =
  /** Speech confirmed: the candidate is talking. */
  | { type: 'speech'; atMs: number; onsetAtMs: number }
  /** The candidate has been talking over the interviewer for `bargeInMs`: the interviewer should stop. */
  | { type: 'interrupt'; atMs: number; onsetAtMs: number }
  /** A phrase ended by a short pause (or cut at `maxPhraseMs`), for an interim caption. */
  | { type: 'phrase'; audio: Int16Array; atMs: number }
  /** The candidate finished speaking: the whole utterance, to be committed as an answer. */
  | {
      type: 'utterance';
      /** When the end was detected: `silenceMs` after the last speech, or the cut at `maxUtteranceMs`. */
      atMs: number;
      audio: Int16Array;
      sampleRate: number;
      startedAtMs: number;
      endedAtMs: number;
      /** Whether the candidate spoke over the interviewer during it. */
      interrupted: boolean;
    };

const windowMs = 10;
// Speech this recent counts as talking now, through the gaps between syllables.
const bargeInGapMs = 100;

export class CandidateListener {
  readonly sampleRate: number;
  readonly #vad: VoiceActivityDetector;
  readonly #windowSamples: number;
  readonly #preRollSamples: number;
  readonly #tailSamples: number;
  readonly #maxPhraseSamples: number;
  readonly #maxUtteranceSamples: number;
  readonly #bargeInMs: number;
  #resampler: Resampler | null = null;
  /** Samples not yet making up a whole window. */
  #partial: Int16Array = new Int16Array(0);
  /** Samples heard so far, at the output rate: the stream clock. */
  #heard = 0;
  /** The last `preRollMs` before any onset. */
  #recent: Int16Array[] = [];
  #recentLength = 0;
  /** The utterance under way: its windows, and the stream index of its first sample. */
  #utterance: Int16Array[] = [];
  #utteranceLength = 0;
  #utteranceStart = 0;
  #phraseStart = 0;
  #onsetAtMs = 0;
  #interrupted = false;
  /** Set by the agent while its voice is playing, so speech over it is barge-in. */
  agentSpeaking = false;

  constructor(options: CandidateListenerOptions = {}) {
    this.sampleRate = options.outputRate ?? 16_000;
    this.#vad = new VoiceActivityDetector(options);
    this.#windowSamples = (this.sampleRate * windowMs) / 1000;
    this.#preRollSamples = this.#samples(options.preRollMs ?? 300);
    this.#tailSamples = this.#samples(options.tailMs ?? 300);
    this.#maxPhraseSamples = this.#samples(options.maxPhraseMs ?? 5000);
    this.#maxUtteranceSamples = this.#samples(options.maxUtteranceMs ?? 300_000);
    this.#bargeInMs = options.bargeInMs ?? 250;
  }

  /** Milliseconds of the candidate's audio heard so far. */
  get heardMs(): number {
    return (this.#heard / this.sampleRate) * 1000;
  }

  /** Whether the candidate is in the middle of an utterance. */
  get inUtterance(): boolean {
    return this.#vad.active;
  }

  push(frame: PcmFrame): ListenerEvent[] {
    if (frame.samplesPerChannel === 0) return [];
    if (this.#resampler?.inputRate !== frame.sampleRate) {
      this.#resampler = new Resampler(frame.sampleRate, this.sampleRate);
    }
    const samples = this.#resampler.push(monoSamples(frame));
    const events: ListenerEvent[] = [];
    let joined = samples;
    if (this.#partial.length > 0) {
      joined = new Int16Array(this.#partial.length + samples.length);
      joined.set(this.#partial);
      joined.set(samples, this.#partial.length);
    }
    let at = 0;
    for (; at + this.#windowSamples <= joined.length; at += this.#windowSamples) {
      this.#window(joined.slice(at, at + this.#windowSamples), events);
    }
    this.#partial = joined.slice(at);
    return events;
  }

  #window(window: Int16Array, events: ListenerEvent[]): void {
    this.#heard += window.length;
    const atMs = this.heardMs;
    const activity = this.#vad.push(rmsLevel(window), atMs);
    if (this.#vad.active || activity?.type === 'end' || activity?.type === 'cancel') {
      this.#utterance.push(window);
      this.#utteranceLength += window.length;
    }
    switch (activity?.type) {
      case 'onset': {
        // The utterance starts with the pre-roll, then this window (already appended above).
        const onsetWindow = this.#utterance.pop()!;
        this.#utterance = [...this.#recent, onsetWindow];
        this.#utteranceLength = this.#recentLength + onsetWindow.length;
        this.#utteranceStart = this.#heard - this.#utteranceLength;
        this.#phraseStart = this.#utteranceStart;
        this.#onsetAtMs = atMs;
        this.#interrupted = false;
        this.#recent = [];
        this.#recentLength = 0;
        break;
      }
      case 'cancel':
        this.#forget();
        break;
      case 'start':
        events.push({ type: 'speech', atMs, onsetAtMs: activity.onsetAtMs });
        break;
      case 'pause':
        this.#emitPhrase(this.#sampleAt(activity.lastSpeechAtMs) + this.#tailSamples, atMs, events);
        break;
      case 'end':
        this.#emitUtterance(this.#sampleAt(activity.lastSpeechAtMs) + this.#tailSamples, atMs, events);
        break;
      default:
        break;
    }
    if (!this.#vad.active) {
      if (activity === null) this.#remember(window);
      return;
    }
    // Barge-in: the candidate has talked for `bargeInMs` and is talking now (not in the silence that may end
    // the utterance), while the interviewer speaks.
    const lastSpeech = this.#vad.lastSpeechAtMs;
    if (
      this.agentSpeaking &&
      !this.#interrupted &&
      this.#vad.speaking &&
      lastSpeech - this.#onsetAtMs >= this.#bargeInMs &&
      atMs - lastSpeech <= bargeInGapMs
    ) {
      this.#interrupted = true;
      events.push({ type: 'interrupt', atMs, onsetAtMs: this.#onsetAtMs });
    }
    if (this.#vad.speaking && this.#heard - this.#phraseStart >= this.#maxPhraseSamples) {
      this.#emitPhrase(this.#heard, atMs, events);
    }
    if (this.#utteranceLength >= this.#maxUtteranceSamples) {
      this.#vad.reset();
      this.#emitUtterance(this.#heard, atMs, events);
    }
  }

  #emitPhrase(endSample: number, atMs: number, events: ListenerEvent[]): void {
    const end = Math.min(endSample, this.#heard);
    if (end <= this.#phraseStart) return;
    events.push({ type: 'phrase', audio: this.#slice(this.#phraseStart, end), atMs });
    this.#phraseStart = end;
  }

  #emitUtterance(endSample: number, atMs: number, events: ListenerEvent[]): void {
    // No caption for the last phrase: the utterance's own transcript follows at once.
    const end = Math.min(endSample, this.#heard);
    events.push({
      type: 'utterance',
      atMs,
      audio: this.#slice(this.#utteranceStart, end),
      sampleRate: this.sampleRate,
      startedAtMs: (this.#utteranceStart / this.sampleRate) * 1000,
      endedAtMs: (end / this.sampleRate) * 1000,
      interrupted: this.#interrupted,
    });
    this.#forget();
  }

  /** The utterance's samples from stream index `from` to `to`. */
  #slice(from: number, to: number): Int16Array {
    const out = new Int16Array(Math.max(0, to - from));
    let partStart = this.#utteranceStart;
    for (const part of this.#utterance) {
      const partEnd = partStart + part.length;
      if (partEnd > from && partStart < to) {
        const first = Math.max(from, partStart);
        out.set(part.subarray(first - partStart, Math.min(to, partEnd) - partStart), first - from);
      }
      partStart = partEnd;
    }
    return out;
  }

  #forget(): void {
    this.#utterance = [];
    this.#utteranceLength = 0;
    this.#interrupted = false;
  }

  #remember(window: Int16Array): void {
    this.#recent.push(window);
    this.#recentLength += window.length;
    while (this.#recentLength - this.#recent[0]!.length >= this.#preRollSamples) {
      this.#recentLength -= this.#recent.shift()!.length;
    }
  }

  #sampleAt(ms: number): number {
    return Math.round((ms / 1000) * this.sampleRate);
  }

  #samples(ms: number): number {
    return Math.round((ms / 1000) * this.sampleRate);
  }
}
