import type { Session } from '../client/types.ts';
import { AnswerRecorder, type RecordedAnswer } from './answer-recorder.ts';
import { VoiceActivityDetector } from './voice-activity.ts';

export interface SpokenAnswersOptions {
  stream: MediaStream;
  limits: Session['audio'];
  /** From `pickRecordingType`. */
  mimeType: string;
  silenceMs: number;
  /** The candidate started speaking (confirmed, not a noise): interrupt the interviewer if it is speaking. */
  onSpeechStart(): void;
  /** The candidate stopped speaking (or was muted). */
  onSpeechEnd(): void;
  /** A spoken answer, recorded, to upload. */
  onAnswer(answer: RecordedAnswer): void;
}

/**
 * Answering by voice over HTTP: the microphone's frames go through the voice detector, which starts and
 * stops the recorder, so each spoken answer becomes one upload. Muted, frames are ignored and nothing is
 * recorded, while the microphone itself stays open.
 */
export class SpokenAnswers {
  readonly #options: SpokenAnswersOptions;
  readonly #detector: VoiceActivityDetector;
  readonly #recorder: AnswerRecorder;
  #muted = false;
  #closed = false;

  constructor(options: SpokenAnswersOptions) {
    this.#options = options;
    this.#detector = new VoiceActivityDetector({ silenceMs: options.silenceMs });
    this.#recorder = new AnswerRecorder({
      stream: options.stream,
      limits: options.limits,
      mimeType: options.mimeType,
      onAnswer: (answer) => options.onAnswer(answer),
    });
  }

  /** One analyser frame's level (RMS), read at `atMs`. */
  frame(level: number, atMs: number): void {
    if (this.#muted || this.#closed) return;
    const activity = this.#detector.pushLevel(level, atMs);
    switch (activity?.type) {
      case 'onset':
        this.#recorder.begin();
        break;
      case 'cancel':
        this.#recorder.discard();
        break;
      case 'start':
        this.#recorder.keep();
        this.#options.onSpeechStart();
        break;
      case 'end':
        this.#recorder.finish();
        this.#options.onSpeechEnd();
        break;
    }
    // A recording cut short by its limits (max_seconds, max_bytes) ended the answer: listen afresh.
    if (this.#detector.speaking && !this.#recorder.recording) {
      this.#detector.reset();
      this.#options.onSpeechEnd();
    }
  }

  /**
   * Muting ends the answer being spoken there: what was said before is sent (it is the candidate's answer),
   * nothing after it is heard.
   */
  setMuted(muted: boolean): void {
    if (this.#muted === muted) return;
    this.#muted = muted;
    if (muted) this.#stop();
  }

  /** Stops listening; an answer being spoken is sent as far as it went. */
  close(): void {
    if (this.#closed) return;
    this.#stop();
    this.#closed = true;
  }

  /** Stops listening, and drops an answer being spoken: the interview stopped under it. */
  abandon(): void {
    if (this.#closed) return;
    this.#recorder.discard();
    this.close();
  }

  #stop(): void {
    const wasSpeaking = this.#detector.speaking;
    this.#recorder.finish();
    this.#detector.reset();
    if (wasSpeaking) this.#options.onSpeechEnd();
  }
}
