/**
 * `@viva/sdk/client`: the headless `InterviewClient` alone (no Lit, no DOM rendering), for a page that draws
 * its own interview UI.
 */
export { InterviewClient } from './client/interview-client.ts';
export { InterviewClientError } from './client/interview-error.ts';
export type {
  ClientStatus,
  CompletionReason,
  InterviewClientEventMap,
  InterviewClientOptions,
  InterviewError,
  InterviewErrorCode,
  InterviewState,
  Session,
  Speaking,
  TranscriptEntry,
  TransportKind,
  TransportPreference,
  Turn,
} from './client/types.ts';
