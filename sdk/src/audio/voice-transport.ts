import type { SessionEvent } from '../client/session-event-parser.ts';
import type { TransportKind, TransportPreference } from '../client/types.ts';
import type { Microphone } from './microphone.ts';

/**
 * The transport for a voice interview: LiveKit when the session offers it and the integrator allows it, else
 * HTTP. Text answers always go over HTTP, so a text interview never joins a room.
 */
export function chooseTransport(
  offered: readonly string[],
  preference: TransportPreference,
  voice: boolean,
): TransportKind {
  return voice && preference === 'auto' && offered.includes('livekit') ? 'livekit' : 'http';
}

/** What a transport tells the voice around it. */
export interface VoiceTransportEvents {
  /** The interviewer's voice started or stopped being heard. */
  interviewerSpeaking(speaking: boolean): void;
  /** The candidate started speaking (a confirmed voice, not a noise), or stopped. */
  candidateSpeaking(speaking: boolean): void;
}

/**
 * One way of carrying a voice interview. Both kinds share the microphone (opened before the interview, for
 * the level meter) and report who is speaking; they differ in who hears the answers (the platform by upload,
 * or the agent in the room) and in who notices a barge-in (the widget, or the agent).
 */
export interface VoiceTransport {
  readonly kind: TransportKind;
  /** Whether a microphone is being listened to for answers. */
  readonly listening: boolean;
  /** Listens to this microphone from now on (after a device change), or to none (it was closed). */
  useMicrophone(microphone: Microphone | null): void;
  /** One analyser frame of the microphone: its RMS level, read at `atMs`. */
  frame(level: number, atMs: number): void;
  /** Muted, nothing the candidate says is heard. */
  setMuted(muted: boolean): void;
  /** An event of the session's stream: HTTP plays `interviewer.audio`; LiveKit hears the agent's track. */
  sessionEvent(event: SessionEvent): void;
  /** The interview is over: stop listening, and let the interviewer's last words finish. */
  finish(): void;
  /** Stops everything at once; an answer being spoken is not sent. */
  close(): void;
}
