import type { components } from '@viva/openapi/types';

/** What `GET /v1/session` says about the interview: job, company, interviewer, limits, consent, answer modes. */
export type Session = components['schemas']['Session'];
export type SessionEventState = components['schemas']['SessionEventState'];
export type CompletionReason = components['schemas']['SessionEventInterviewCompleted']['reason'];

/**
 * Where the client stands, one value at a time:
 * - `idle`: created, nothing fetched yet.
 * - `loading`: fetching the session.
 * - `ready`: the session is known; the candidate can check their microphone and consent, then start.
 * - `connecting`: starting the interview and opening its event stream.
 * - `live`: the interview is running (see `turn` for whose turn it is).
 * - `reconnecting`: the connection dropped; it is being restored, and nothing said is lost.
 * - `completed`: the interview is over (see `completion`).
 * - `error`: something failed that the candidate must act on (see `error`); `retry()` may help.
 */
export type ClientStatus =
  | 'idle'
  | 'loading'
  | 'ready'
  | 'connecting'
  | 'live'
  | 'reconnecting'
  | 'completed'
  | 'error';

/** Whose turn it is, as the platform says: `none` before the start and after the end. */
export type Turn = 'interviewer' | 'candidate' | 'none';

/** Who is audible right now, for the interviewer visual: the interviewer's voice, or the candidate's. */
export type Speaking = 'interviewer' | 'candidate' | null;

/**
 * How the interview's voice travels: `http` (each spoken answer uploaded, the interviewer's audio on the
 * event stream; typed answers always go this way) or `livekit` (a WebRTC room the interviewer agent is in).
 */
export type TransportKind = 'http' | 'livekit';

/**
 * Which transport a voice interview may use: `auto` joins the LiveKit room when the session offers one
 * (`Session.transports`) and falls back to HTTP when it cannot connect; `http` never tries LiveKit.
 */
export type TransportPreference = 'auto' | 'http';

export type InterviewErrorCode =
  /** The session token is expired, invalid, or its interview is over: a new invitation is needed. */
  | 'session_invalid'
  /** This page's origin is not allowed for the tenant. */
  | 'origin_not_allowed'
  /** The microphone was refused (by the candidate or the browser's settings). */
  | 'microphone_denied'
  /** No microphone was found. */
  | 'microphone_unavailable'
  /** The platform could not be reached, even after retrying. */
  | 'network'
  /** The interviewer could not reply (the platform's `interviewer_unavailable`). */
  | 'interviewer_unavailable'
  /** An answer was refused (too long, wrong format). */
  | 'answer_rejected'
  /** Anything else the platform reported; `message` says what. */
  | 'unknown';

export interface InterviewError {
  code: InterviewErrorCode;
  /** A human explanation in English; the element shows its own localized text for each `code`. */
  message: string;
  /** Whether trying again (`InterviewClient.retry()`) may help. */
  retryable: boolean;
  /** The platform's request id, when the error came from a response: quote it to support. */
  requestId?: string;
}

/** The whole state the element draws from; every change comes as an `InterviewStateEvent` (`state`). */
export interface InterviewState {
  status: ClientStatus;
  session: Session | null;
  turn: Turn;
  /** 0-based index of the current question. */
  questionIndex: number;
  questionCount: number;
  /** Counted down locally between the platform's `state` events; null before the interview starts. */
  timeLeftSeconds: number | null;
  speaking: Speaking;
  /** The microphone is open (the candidate is answering by voice). */
  listening: boolean;
  /**
   * What carries the interview once it has started (null before): `livekit`, or `http`, also after a
   * fallback from LiveKit (it could not connect, or its room was lost), which the interview goes on through.
   */
  transport: TransportKind | null;
  muted: boolean;
  /** Answers written or recorded but not yet acknowledged by the platform (sent again after a drop). */
  pendingAnswers: number;
  error: InterviewError | null;
  completion: { interviewId: string; reason: CompletionReason } | null;
}

/** One caption line: a turn of the conversation, growing as it is written (`final` once complete). */
export interface TranscriptEntry {
  turnId: string;
  speaker: 'interviewer' | 'candidate';
  text: string;
  final: boolean;
}

/** The events an `InterviewClient` dispatches (it is an `EventTarget`), with their `detail`. */
export interface InterviewClientEventMap {
  /** Any change of `InterviewState`. */
  state: CustomEvent<InterviewState>;
  /** A caption line appeared or grew. */
  transcript: CustomEvent<TranscriptEntry>;
  /** The interview is over. */
  completed: CustomEvent<{ interviewId: string; reason: CompletionReason }>;
  /** Something went wrong; also reflected in `state.error`. */
  error: CustomEvent<InterviewError>;
  /** The microphone's input level, 0 to 1, about 20 times a second while it is open. */
  level: CustomEvent<number>;
}

export interface InterviewClientOptions {
  /** The session token the ATS's server minted (`POST /v1/interviews/{id}/sessions`). Never a secret key. */
  sessionToken: string;
  /** The platform's base URL, e.g. `https://api.viva.example` (no trailing `/v1`). */
  apiBase: string;
  /**
   * Silence that ends a spoken answer, in milliseconds, over HTTP and LiveKit alike: 300 to 10000 (a value
   * outside counts as the nearer bound). Default 1800.
   */
  silenceMs?: number;
  /** Whether a voice interview may join the LiveKit room the session offers (`auto`, the default) or never (`http`). */
  transport?: TransportPreference;
  /** How long joining the LiveKit room may take before the interview goes on over HTTP instead. Default 15000. */
  liveKitTimeoutMs?: number;
  /**
   * How long the event stream may stay silent, not even a heartbeat, before it is taken for dead (a connection
   * lost to sleep or a network change can look open for ever) and reopened where it left off. Default 45000:
   * three of the platform's heartbeats, sent every 15 seconds unless its operator set
   * `VIVA_SESSION_HEARTBEAT_SECONDS`; keep it at least twice that interval.
   */
  heartbeatTimeoutMs?: number;
  /** For tests and unusual environments; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}
