import type { Session } from '../client/types.ts';

type AudioLimits = Session['audio'];

/**
 * The recording type for answers: WebM Opus (what Chromium records) when the platform takes it, else the
 * first of the session's accepted types the browser can record (Ogg Opus in Firefox); null if none.
 */
export function pickRecordingType(
  accepted: readonly string[],
  isTypeSupported: (type: string) => boolean,
): string | null {
  const preferred = 'audio/webm;codecs=opus';
  const candidates = accepted.includes(preferred) ? [preferred, ...accepted] : [...accepted];
  return candidates.find((type) => isTypeSupported(type)) ?? null;
}

export interface RecordedAnswer {
  audio: Blob;
  /** The `Content-Type` to upload it with. */
  contentType: string;
  durationMs: number;
}

export interface AnswerRecorderOptions {
  stream: MediaStream;
  limits: AudioLimits;
  /** From `pickRecordingType`. */
  mimeType: string;
  /** A recording that was kept (not canceled), ready to upload. */
  onAnswer(answer: RecordedAnswer): void;
}

// Room under the platform's limits: the container's own bytes, and the time a stop takes to land.
const byteMargin = 64 * 1024;
const timeMarginMs = 1000;
// Chunks every second, so the size is known as it grows and a long answer can be stopped before the limit.
const timesliceMs = 1000;

/**
 * One spoken answer at a time, from the voice detector's onset to its end: `begin` at the onset, `keep` once
 * speech is confirmed, `finish` when it ends (or `discard` if it was only a noise). The session's
 * `max_seconds` and `max_bytes` are enforced here: an answer that reaches either is finished early and sent,
 * rather than refused by the platform and lost.
 */
export class AnswerRecorder {
  readonly #options: AnswerRecorderOptions;
  #recorder: MediaRecorder | null = null;
  #chunks: Blob[] = [];
  #bytes = 0;
  #startedAt = 0;
  #kept = false;
  #limitTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: AnswerRecorderOptions) {
    this.#options = options;
  }

  /** Whether a recording is under way. */
  get recording(): boolean {
    return this.#recorder !== null;
  }

  /** Starts recording (at the voice detector's onset). */
  begin(): void {
    if (this.#recorder) return;
    const { stream, mimeType, limits } = this.#options;
    const recorder = new MediaRecorder(stream, { mimeType });
    this.#recorder = recorder;
    this.#chunks = [];
    this.#bytes = 0;
    this.#kept = false;
    this.#startedAt = performance.now();
    const chunks = this.#chunks;
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size === 0) return;
      chunks.push(event.data);
      this.#bytes += event.data.size;
      if (recorder === this.#recorder && this.#bytes >= limits.max_bytes - byteMargin) this.finish();
    });
    recorder.start(timesliceMs);
    this.#limitTimer = setTimeout(() => this.finish(), limits.max_seconds * 1000 - timeMarginMs);
  }

  /** The onset was speech: this recording is an answer, to be sent when it finishes. */
  keep(): void {
    if (this.#recorder) this.#kept = true;
  }

  /** Stops recording; a kept recording is handed to `onAnswer` once the recorder has flushed. */
  finish(): void {
    const recorder = this.#recorder;
    if (!recorder) return;
    this.#stop();
    if (!this.#kept) return;
    const chunks = this.#chunks;
    const durationMs = performance.now() - this.#startedAt;
    recorder.addEventListener(
      'stop',
      () => {
        // The recorder's own type may carry more parameters than the platform names; the container is enough.
        const contentType = recorder.mimeType || this.#options.mimeType;
        const audio = new Blob(chunks, { type: contentType });
        // Sent even if it came out over the limit: the platform's refusal is reported, a silent drop is not.
        if (audio.size > 0) this.#options.onAnswer({ audio, contentType, durationMs });
      },
      { once: true },
    );
  }

  /** Stops and drops the recording (a noise, not an answer). */
  discard(): void {
    if (!this.#recorder) return;
    this.#kept = false;
    this.#stop();
  }

  #stop(): void {
    const recorder = this.#recorder;
    this.#recorder = null;
    if (this.#limitTimer !== null) clearTimeout(this.#limitTimer);
    this.#limitTimer = null;
    if (recorder && recorder.state !== 'inactive') recorder.stop();
  }
}
