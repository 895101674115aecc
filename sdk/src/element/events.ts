import type {
  CompletionReason,
  InterviewError,
  InterviewState,
  Session,
  TranscriptEntry,
} from '../client/types.ts';

/** The session is loaded: the pre-check screen shows. */
export type InterviewReadyEvent = CustomEvent<Session>;
/** The interview is running: the interviewer's first turn is on its way. */
export type InterviewStartedEvent = CustomEvent<{ interviewId: string }>;
/** Any change of the client's state (status, turn, question, time left, speaking, error...). */
export type InterviewStateChangeEvent = CustomEvent<InterviewState>;
/** A caption line appeared or grew. */
export type InterviewTranscriptEvent = CustomEvent<TranscriptEntry>;
/** The interview is over, and why. */
export type InterviewCompletedEvent = CustomEvent<{ interviewId: string; reason: CompletionReason }>;
/** Something failed; the element shows its error screen, or the microphone help. */
export type InterviewErrorEvent = CustomEvent<InterviewError>;
/** The candidate confirmed they want to end the interview; `preventDefault()` keeps it going. */
export type InterviewEndRequestEvent = CustomEvent<{ interviewId: string }>;

/** Every event `<ai-interview>` dispatches, by name. All bubble and cross shadow roots (`composed`). */
export interface AiInterviewEventMap {
  'interview-ready': InterviewReadyEvent;
  'interview-started': InterviewStartedEvent;
  'interview-state': InterviewStateChangeEvent;
  'interview-transcript': InterviewTranscriptEvent;
  'interview-completed': InterviewCompletedEvent;
  'interview-error': InterviewErrorEvent;
  'interview-end-request': InterviewEndRequestEvent;
}

declare global {
  // Listeners on any element (or the document) get the typed `detail`.
  interface GlobalEventHandlersEventMap {
    'interview-ready': InterviewReadyEvent;
    'interview-started': InterviewStartedEvent;
    'interview-state': InterviewStateChangeEvent;
    'interview-transcript': InterviewTranscriptEvent;
    'interview-completed': InterviewCompletedEvent;
    'interview-error': InterviewErrorEvent;
    'interview-end-request': InterviewEndRequestEvent;
  }
}

/**
 * Dispatches one of the element's events from `target`, bubbling and composed. Returns `false` when a
 * listener called `preventDefault()` on a cancelable event.
 */
export function emit<K extends keyof AiInterviewEventMap>(
  target: EventTarget,
  name: K,
  detail: AiInterviewEventMap[K]['detail'],
  options: { cancelable?: boolean } = {},
): boolean {
  return target.dispatchEvent(
    new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
  );
}
