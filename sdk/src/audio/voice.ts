import { InterviewClientError } from '../client/interview-error.ts';
import type { SessionEvent } from '../client/session-event-parser.ts';
import type { InterviewState, Session, TransportPreference } from '../client/types.ts';
import type { RecordedAnswer } from './answer-recorder.ts';
import { answerSilenceMs } from './answer-silence.ts';
import { HttpVoice } from './http-voice.ts';
import type { LiveKitGrant } from './livekit-voice.ts';
import { Microphone, meterLevel, microphoneError } from './microphone.ts';
import { VoiceActivityDetector } from './voice-activity.ts';
import { chooseTransport, type VoiceTransport } from './voice-transport.ts';

/** What the voice asks of the room's interviewer agent. */
export interface RoomRequest {
  /** The silence that ends a spoken answer, so the agent ends answers as the widget does over HTTP. */
  silenceMs: number;
}

export interface VoiceOptions {
  /** The silence that ends a spoken answer, in milliseconds; kept within the bounds of answerSilenceMs. */
  silenceMs: number;
  /** How long joining a LiveKit room (the grant, the code, the connection) may take before HTTP takes over. */
  liveKitTimeoutMs: number;
  /** Asks the platform for the interview's room (`POST /v1/session/livekit`). */
  requestRoom(request: RoomRequest, signal: AbortSignal): Promise<LiveKitGrant>;
  /** The microphone's level for the meter, 0 to 1, about 20 times a second while it is open. */
  level(level: number): void;
  /** Who is audible, whether the microphone is listened to, and what carries the voice, as they change. */
  changed(patch: Partial<Pick<InterviewState, 'speaking' | 'listening' | 'transport'>>): void;
  /** HTTP: a spoken answer, recorded, to upload. */
  answer(answer: RecordedAnswer): void;
  /** HTTP: the candidate spoke over the interviewer's turn `turnId` after hearing `heardMs` of it. */
  interrupted(turnId: string, heardMs: number): void;
  /** LiveKit: what the candidate is saying, before the transcript is final. */
  partialCaption(text: string): void;
  /** A problem the interview goes on with: the microphone was lost, or cannot be recorded. */
  problem(error: InterviewClientError): void;
}

/**
 * The candidate's voice: the microphone (open from the microphone check on), and once the interview runs by
 * voice, the transport that carries it, LiveKit when the session offers it, else HTTP. When LiveKit cannot
 * connect (a corporate network that blocks WebRTC), or its room is lost for good mid-interview, HTTP takes
 * over with the same microphone; the session token and the event stream are untouched, so the interview
 * goes on at the current question.
 */
export class Voice {
  readonly #options: VoiceOptions;
  /** The same over either transport: the widget's own detector uses it over HTTP, the room's agent over LiveKit. */
  readonly #silenceMs: number;
  #context: AudioContext | null = null;
  #microphone: Microphone | null = null;
  #session: Session | null = null;
  #transport: VoiceTransport | null = null;
  #joining: AbortController | null = null;
  #muted = false;
  #candidateSpeaking = false;
  #interviewerSpeaking = false;
  #finished = false;
  #closed = false;
  /** The device last opened, as it was asked for (undefined: the browser's default). */
  #deviceId: string | undefined;
  #preference: TransportPreference = 'auto';
  /** What `pause()` stopped, for `resume()` to put back; null while not paused. */
  #paused: { microphone: boolean } | null = null;
  /** Counts `begin`s and stops: a `begin` or `resume` that something has overtaken since gives up. */
  #attempts = 0;
  /**
   * Counts opens and closes: an open that resolves after a later close or open (the candidate allowed the
   * permission prompt after choosing to type) lets its device go at once instead of listening on.
   */
  #microphoneRequests = 0;

  constructor(options: VoiceOptions) {
    this.#options = options;
    this.#silenceMs = answerSilenceMs(options.silenceMs);
  }

  get microphoneOpen(): boolean {
    return this.#microphone !== null;
  }

  /** The device last opened, as it was asked for: undefined for the browser's default. */
  get deviceId(): string | undefined {
    return this.#deviceId;
  }

  /** Whether the microphone is being listened to for answers (the interview runs by voice). */
  get listening(): boolean {
    return this.#microphone !== null && (this.#transport?.listening ?? false);
  }

  /** Opens (or, with another device, replaces) the microphone. Rejects with an `InterviewClientError`. */
  async openMicrophone(deviceId?: string): Promise<void> {
    const request = ++this.#microphoneRequests;
    let microphone: Microphone;
    try {
      microphone = await Microphone.open({
        ...(deviceId ? { deviceId } : {}),
        context: this.#audioContext(),
        onFrame: (_samples, atMs, level) => this.#frame(level, atMs),
        onEnded: () => this.#microphoneLost(),
      });
    } catch (error) {
      throw error instanceof InterviewClientError ? error : microphoneError(error);
    }
    if (this.#closed || this.#finished || request !== this.#microphoneRequests) {
      microphone.close();
      return;
    }
    const previous = this.#microphone;
    this.#microphone = microphone;
    this.#deviceId = deviceId;
    microphone.setMuted(this.#muted);
    // The transport lets go of the old device first, so an answer being recorded ends as far as it went.
    this.#transport?.useMicrophone(microphone);
    previous?.close();
    this.#report();
  }

  closeMicrophone(): void {
    // Closed by choice while paused: `resume()` must not open it again.
    if (this.#paused) this.#paused.microphone = false;
    this.#transport?.useMicrophone(null);
    this.#releaseMicrophone();
    this.#candidateSpeaking = false;
    this.#report();
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    this.#microphone?.setMuted(muted);
    this.#transport?.setMuted(muted);
  }

  /**
   * The interview starts by voice: joins LiveKit when the session offers it and `preference` allows, and
   * falls back to HTTP when that fails or takes longer than `liveKitTimeoutMs`. Never rejects for LiveKit.
   */
  begin(session: Session, preference: TransportPreference): Promise<void> {
    return this.#begin(session, preference, false);
  }

  async #begin(session: Session, preference: TransportPreference, resuming: boolean): Promise<void> {
    this.#session = session;
    this.#preference = preference;
    this.#paused = null;
    if (this.#transport) return;
    const attempt = ++this.#attempts;
    const liveKit =
      chooseTransport(session.transports, preference, true) === 'livekit' ? await this.#joinLiveKit() : null;
    if (this.#closed || this.#finished || this.#transport || attempt !== this.#attempts) {
      liveKit?.close();
      return;
    }
    this.#use(liveKit ?? this.#httpVoice(session, resuming));
  }

  /**
   * An event of the session's stream, for the transport: over HTTP, the interviewer's audio, and the
   * candidate's transcripts, after which the interviewer's earlier words are not heard any more.
   */
  sessionEvent(event: SessionEvent): void {
    this.#transport?.sessionEvent(event);
  }

  /** The interview is over: the microphone closes, and the interviewer's last words may finish. */
  finish(): void {
    this.#finished = true;
    this.#paused = null;
    this.#joining?.abort(new Error('The interview is over.'));
    this.#transport?.finish();
    this.#releaseMicrophone();
    this.#candidateSpeaking = false;
    this.#report();
  }

  /**
   * Stops the microphone and the interviewer's voice at once (an answer being spoken is dropped, not sent);
   * `openMicrophone` may start again.
   */
  stop(): void {
    this.#paused = null;
    this.#halt();
  }

  /** Whether `pause()` stopped the voice and nothing has started it since. */
  get paused(): boolean {
    return this.#paused !== null;
  }

  /**
   * The interview stopped on an error: the voice stops as `stop()` stops it (the room is left, the microphone
   * released, an answer being spoken dropped), until `resume()`. A voice that has not begun is left alone:
   * the microphone of the check before the start stays open.
   */
  pause(): void {
    if (this.#paused || this.#closed || this.#finished) return;
    if (!this.#transport && !this.#joining) return;
    this.#paused = { microphone: this.#microphone !== null };
    this.#halt();
  }

  /**
   * Puts back what `pause()` stopped: the microphone, the device it was, unless the candidate closed it
   * meanwhile, and the transport, as `begin` chooses it. Rejects with an `InterviewClientError` when the
   * microphone cannot be opened again; the transport is back regardless (over HTTP it plays the interviewer).
   */
  async resume(): Promise<void> {
    const paused = this.#paused;
    const session = this.#session;
    if (!paused || !session || this.#closed) return;
    this.#paused = null;
    const attempt = this.#attempts;
    let failure: unknown = null;
    if (paused.microphone && !this.#microphone) {
      try {
        await this.openMicrophone(this.#deviceId);
      } catch (error) {
        failure = error;
      }
    }
    // Stopped again, or finished, while the microphone opened: what stopped it stands.
    if (attempt !== this.#attempts || this.#finished || this.#closed) return;
    // A turn whose audio began before the pause is not played from its middle: its captions carry the words.
    await this.#begin(session, this.#preference, true);
    if (failure) throw failure;
  }

  /** Releases everything, the audio context too. */
  close(): void {
    this.#closed = true;
    this.stop();
    void this.#context?.close().catch(() => undefined);
    this.#context = null;
  }

  async #joinLiveKit(): Promise<VoiceTransport | null> {
    const microphone = this.#microphone;
    if (!microphone) return null;
    const joining = new AbortController();
    this.#joining = joining;
    const timeoutMs = this.#options.liveKitTimeoutMs;
    const timer = setTimeout(
      () => joining.abort(new Error(`joining the room took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      const grant = await this.#options.requestRoom({ silenceMs: this.#silenceMs }, joining.signal);
      // The one place livekit-client is loaded: a chunk of its own, fetched only for a session that offers it.
      const { LiveKitVoice } = await beforeAbort(import('./livekit-voice.ts'), joining.signal);
      return await LiveKitVoice.join(
        {
          grant,
          microphone,
          detector: new VoiceActivityDetector({ silenceMs: this.#silenceMs }),
          agentTimeoutMs: timeoutMs,
          interviewerSpeaking: (speaking) => this.#interviewerChanged(speaking),
          candidateSpeaking: (speaking) => this.#candidateChanged(speaking),
          partialCaption: (text) => this.#options.partialCaption(text),
          lost: (reason) => this.#liveKitLost(reason),
        },
        joining.signal,
      );
    } catch (error) {
      if (!this.#closed && !this.#finished && !this.#paused) {
        console.warn('[viva] LiveKit could not connect; the interview goes on over HTTP.', error);
      }
      return null;
    } finally {
      clearTimeout(timer);
      if (this.#joining === joining) this.#joining = null;
    }
  }

  #liveKitLost(reason: string): void {
    if (this.#closed || this.#finished || !this.#session) return;
    console.warn(`[viva] LiveKit was lost (${reason}); the interview goes on over HTTP.`);
    this.#use(this.#httpVoice(this.#session, true));
  }

  #httpVoice(session: Session, takingOver = false): HttpVoice {
    return new HttpVoice({
      context: this.#audioContext(),
      session,
      takingOver,
      silenceMs: this.#silenceMs,
      interviewerSpeaking: (speaking) => this.#interviewerChanged(speaking),
      candidateSpeaking: (speaking) => this.#candidateChanged(speaking),
      answer: (answer) => this.#options.answer(answer),
      interrupted: (turnId, heardMs) => this.#options.interrupted(turnId, heardMs),
      problem: (error) => this.#options.problem(error),
    });
  }

  #use(transport: VoiceTransport): void {
    this.#transport?.close();
    this.#transport = transport;
    this.#candidateSpeaking = false;
    this.#interviewerSpeaking = false;
    transport.setMuted(this.#muted);
    transport.useMicrophone(this.#microphone);
    this.#report({ transport: transport.kind });
  }

  #frame(level: number, atMs: number): void {
    this.#options.level(meterLevel(level));
    this.#transport?.frame(level, atMs);
  }

  #candidateChanged(speaking: boolean): void {
    this.#candidateSpeaking = speaking;
    this.#report();
  }

  #interviewerChanged(speaking: boolean): void {
    this.#interviewerSpeaking = speaking;
    this.#report();
  }

  #report(patch: Partial<Pick<InterviewState, 'transport'>> = {}): void {
    if (this.#closed) return;
    const speaking = this.#candidateSpeaking ? 'candidate' : this.#interviewerSpeaking ? 'interviewer' : null;
    this.#options.changed({ speaking, listening: this.listening, ...patch });
  }

  #halt(): void {
    this.#attempts += 1;
    this.#joining?.abort(new Error('The voice was stopped.'));
    this.#joining = null;
    this.#transport?.close();
    this.#transport = null;
    this.#releaseMicrophone();
    this.#candidateSpeaking = false;
    this.#interviewerSpeaking = false;
    this.#report();
  }

  #microphoneLost(): void {
    this.closeMicrophone();
    this.#options.problem(
      new InterviewClientError({
        code: 'microphone_unavailable',
        message: 'The microphone stopped (it was unplugged, or its permission was withdrawn).',
        retryable: true,
      }),
    );
  }

  #releaseMicrophone(): void {
    this.#microphoneRequests += 1;
    this.#microphone?.close();
    this.#microphone = null;
  }

  #audioContext(): AudioContext {
    this.#context ??= new AudioContext();
    // Resumed here because these calls follow the candidate's clicks, which browsers require for audio.
    if (this.#context.state === 'suspended') void this.#context.resume().catch(() => undefined);
    return this.#context;
  }
}

/** `promise`, unless `signal` aborts first (then its reason). */
function beforeAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
