/**
 * `@viva/sdk`: the `<ai-interview>` element's class (not registered: import `@viva/sdk/ai-interview` for
 * that) and the headless `InterviewClient` under it.
 */
export * from './client.ts';
export { default as AiInterview } from './element/ai-interview.component.ts';
export type {
  AiInterviewEventMap,
  InterviewCompletedEvent,
  InterviewEndRequestEvent,
  InterviewErrorEvent,
  InterviewReadyEvent,
  InterviewStartedEvent,
  InterviewStateChangeEvent,
  InterviewTranscriptEvent,
} from './element/events.ts';
