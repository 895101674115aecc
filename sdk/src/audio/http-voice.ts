import { InterviewClientError } from '../client/interview-error.ts';
import type { SessionEvent } from '../client/session-event-parser.ts';
import type { Session } from '../client/types.ts';
import { pickRecordingType, type RecordedAnswer } from './answer-recorder.ts';
import { InterviewerPlayback } from './interviewer-playback.ts';
import type { Microphone } from './microphone.ts';
import { SpokenAnswers } from './spoken-answers.ts';
import type { VoiceTransport, VoiceTransportEvents } from './voice-transport.ts';

export interface HttpVoiceOptions extends VoiceTransportEvents {
  context: AudioContext;
  session: Session;
  silenceMs: number;
  /**
   * Taking over mid-interview (from LiveKit, or after a pause): a turn whose audio arrives from the middle (its
   * beginning went to the room, or came before the pause) is not played; its captions carry the words.
   */
  takingOver?: boolean;
  /** A spoken answer, recorded, to upload. */
  answer(answer: RecordedAnswer): void;
  /** The candidate spoke over the interviewer's committed turn after hearing `heardMs` of it. */
  interrupted(turnId: string, heardMs: number): void;
  /** A problem the interview goes on with (the browser cannot record a format the platform takes). */
  problem(error: InterviewClientError): void;
}

/**
 * The voice over HTTP: the voice detector cuts the microphone into answers, each uploaded as a recording;
 * the interviewer's audio comes on the event stream and plays here. The candidate speaking over it stops it
 * at once (barge-in), and the platform is told how much was heard.
 */
export class HttpVoice implements VoiceTransport {
  readonly kind = 'http';
  readonly #options: HttpVoiceOptions;
  readonly #playback: InterviewerPlayback;
  #spoken: SpokenAnswers | null = null;
  #muted = false;
  /** Interviewer turns the platform has committed (`interviewer.done`): only these can be reported. */
  readonly #committedTurns = new Set<string>();
  readonly #waitingBargeIns = new Map<string, number>();
  /** Turns whose audio has been seen here, and those joined halfway, never played. */
  readonly #heardTurns = new Set<string>();
  readonly #halfwayTurns = new Set<string>();

  constructor(options: HttpVoiceOptions) {
    this.#options = options;
    this.#playback = new InterviewerPlayback({
      context: options.context,
      onPlayingChange: (playing) => options.interviewerSpeaking(playing),
    });
  }

  /** Whether a microphone is being turned into answers. */
  get listening(): boolean {
    return this.#spoken !== null;
  }

  useMicrophone(microphone: Microphone | null): void {
    this.#stopListening();
    if (!microphone) return;
    const { session } = this.#options;
    const mimeType = pickRecordingType(
      session.audio.accepted_types,
      (type) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type),
    );
    if (!mimeType) {
      this.#options.problem(
        new InterviewClientError({
          code: 'microphone_unavailable',
          message: 'This browser cannot record audio in a format the platform accepts; answer by typing.',
          retryable: false,
        }),
      );
      return;
    }
    this.#spoken = new SpokenAnswers({
      stream: microphone.stream,
      limits: session.audio,
      mimeType,
      silenceMs: this.#options.silenceMs,
      onSpeechStart: () => this.#candidateStarted(),
      onSpeechEnd: () => this.#options.candidateSpeaking(false),
      onAnswer: (answer) => this.#options.answer(answer),
    });
    this.#spoken.setMuted(this.#muted);
  }

  frame(level: number, atMs: number): void {
    this.#spoken?.frame(level, atMs);
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    this.#spoken?.setMuted(muted);
  }

  sessionEvent(event: SessionEvent): void {
    if (event.event === 'interviewer.audio') {
      const { turn_id, seq, format, data } = event.data;
      if (!this.#heardTurns.has(turn_id)) {
        this.#heardTurns.add(turn_id);
        if (this.#options.takingOver && seq > 0) this.#halfwayTurns.add(turn_id);
      }
      if (!this.#halfwayTurns.has(turn_id)) this.#playback.push(turn_id, format, data);
    } else if (event.event === 'candidate.transcript') {
      this.#playback.answered();
    } else if (event.event === 'interviewer.done') {
      const turnId = event.data.turn_id;
      this.#committedTurns.add(turnId);
      this.#playback.turnDone(turnId);
      const heard = this.#waitingBargeIns.get(turnId);
      if (heard !== undefined) {
        this.#waitingBargeIns.delete(turnId);
        this.#bargeIn(turnId, heard);
      }
    }
  }

  finish(): void {
    this.#stopListening();
  }

  /** Stops at once: the interviewer falls silent, and an answer being spoken is dropped, not sent. */
  close(): void {
    this.#spoken?.abandon();
    this.#spoken = null;
    this.#playback.close();
  }

  #candidateStarted(): void {
    const interrupted = this.#playback.speaking ? this.#playback.interrupt() : null;
    if (interrupted) this.#bargeIn(interrupted.turnId, interrupted.heardMs);
    this.#options.candidateSpeaking(true);
  }

  /** A turn not yet committed (no `interviewer.done` so far) is reported once it is. */
  #bargeIn(turnId: string, heardMs: number): void {
    if (this.#committedTurns.has(turnId)) this.#options.interrupted(turnId, heardMs);
    else this.#waitingBargeIns.set(turnId, heardMs);
  }

  #stopListening(): void {
    this.#spoken?.close();
    this.#spoken = null;
  }
}
