import { InterviewClientError } from '../client/interview-error.ts';
import { frameLevel } from './voice-activity.ts';

export interface MicrophoneOptions {
  /** A device from `listMicrophones()`; the browser's default when absent. */
  deviceId?: string;
  /** The context the analyser runs on (the client's one context, shared with playback). */
  context: AudioContext;
  /** Each analyser frame: its samples (reused between calls), when it was read, and its RMS level. */
  onFrame(samples: Float32Array, atMs: number, level: number): void;
  /** The device went away (unplugged, or the permission was revoked). */
  onEnded?(): void;
}

// 20 frames a second: the level meter looks live, and the voice detector sees every 50 ms.
const frameIntervalMs = 50;
// 2048 samples are 43 ms at 48 kHz: each frame covers nearly the whole interval, so little speech is unseen.
const fftSize = 2048;

/** The audio input devices. Their labels are empty until the page has been granted the microphone. */
export async function listMicrophones(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((device) => device.kind === 'audioinput');
}

/**
 * The candidate's microphone, open: the stream (for the recorder) and an analyser read about 20 times a
 * second (for the level meter and the voice detector). The browser's own echo cancellation keeps the
 * interviewer's voice from the speakers out of it, so the candidate can interrupt without headphones.
 */
export class Microphone {
  /** The open stream; its one audio track is the microphone. */
  readonly stream: MediaStream;
  readonly #source: MediaStreamAudioSourceNode;
  readonly #analyser: AnalyserNode;
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;

  private constructor(stream: MediaStream, options: MicrophoneOptions) {
    this.stream = stream;
    const { context } = options;
    this.#source = context.createMediaStreamSource(stream);
    this.#analyser = context.createAnalyser();
    this.#analyser.fftSize = fftSize;
    this.#analyser.smoothingTimeConstant = 0;
    this.#source.connect(this.#analyser);
    const samples = new Float32Array(this.#analyser.fftSize);
    // A timer, not requestAnimationFrame: frames must keep coming while the tab is in the background.
    this.#timer = setInterval(() => {
      if (this.#closed) return;
      this.#analyser.getFloatTimeDomainData(samples);
      options.onFrame(samples, performance.now(), frameLevel(samples));
    }, frameIntervalMs);
    for (const track of stream.getAudioTracks()) {
      track.addEventListener('ended', () => {
        if (!this.#closed) options.onEnded?.();
      });
    }
  }

  /** Asks for the microphone (the browser's prompt, the first time) and starts listening. */
  static async open(options: MicrophoneOptions): Promise<Microphone> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new InterviewClientError({
        code: 'microphone_unavailable',
        message: 'This page cannot use a microphone (it needs HTTPS, or the browser has no audio input).',
        retryable: false,
      });
    }
    if (!microphoneAllowedByPage()) {
      // The browser would refuse it without asking anyone, as though the candidate had: no Try again and no
      // setting of theirs can change that, so it is told as a page that cannot capture a voice.
      throw new InterviewClientError({
        code: 'microphone_unavailable',
        message:
          'The page does not let this document use the microphone (Permissions-Policy). In an <iframe>, give the frame allow="microphone".',
        retryable: false,
      });
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          ...(options.deviceId ? { deviceId: { exact: options.deviceId } } : {}),
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
          channelCount: 1,
        },
      });
    } catch (error) {
      throw microphoneError(error);
    }
    // Created before a click, the context starts suspended, and a suspended analyser reads silence. Not
    // awaited: without the candidate's click the promise waits for one, and the meter comes alive with it.
    if (options.context.state === 'suspended') void options.context.resume().catch(() => undefined);
    return new Microphone(stream, options);
  }

  /** The device in use, as `listMicrophones()` names it. */
  get deviceId(): string | undefined {
    return this.stream.getAudioTracks()[0]?.getSettings().deviceId;
  }

  /** Muted, the track delivers silence: nothing is heard or recorded, and the device stays open. */
  setMuted(muted: boolean): void {
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
  }

  /** Stops listening and releases the device (the browser's recording indicator goes off). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#source.disconnect();
    for (const track of this.stream.getTracks()) track.stop();
  }
}

/**
 * A level for a meter, 0 to 1, from an RMS level: decibels, from -60 dBFS (0) to 0 dBFS (1), as the ear hears
 * loudness rather than amplitude.
 */
export function meterLevel(rms: number): number {
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

/** The `allowsFeature()` of Chromium's `document.permissionsPolicy` (formerly `featurePolicy`). */
interface PermissionsPolicy {
  allowsFeature(feature: string): boolean;
}

/**
 * Whether the page's Permissions Policy lets this document use the microphone: an `<iframe>` without
 * `allow="microphone"`, or a `Permissions-Policy: microphone=()` header, does not. Only Chromium can tell;
 * elsewhere this says yes, and `getUserMedia` is refused as if by the candidate.
 */
function microphoneAllowedByPage(): boolean {
  const { permissionsPolicy, featurePolicy } = document as Document & {
    permissionsPolicy?: PermissionsPolicy;
    featurePolicy?: PermissionsPolicy;
  };
  const policy = permissionsPolicy ?? featurePolicy;
  return typeof policy?.allowsFeature !== 'function' || policy.allowsFeature('microphone');
}

/** What `getUserMedia` threw, as the candidate is to be told it. */
export function microphoneError(error: unknown): InterviewClientError {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new InterviewClientError({
      code: 'microphone_denied',
      message: 'The microphone was not allowed. Allow it in the browser, or answer by typing.',
      retryable: true,
    });
  }
  return new InterviewClientError({
    code: 'microphone_unavailable',
    message:
      name === 'NotFoundError' || name === 'OverconstrainedError'
        ? 'No microphone was found.'
        : `The microphone could not be opened${error instanceof Error ? `: ${error.message}` : ''}.`,
    retryable: true,
  });
}
