/**
 * What the widget hears on `GET /v1/session/events`. Each event gets an id from the bus that carried it;
 * a client reconnecting with `Last-Event-ID` receives every event after that id, and none twice.
 */
export type SessionEvent =
  | {
      type: 'state';
      data: {
        status: 'scheduled' | 'in_progress' | 'completed' | 'expired' | 'canceled';
        question_index: number;
        question_count: number;
        time_left_seconds: number;
        /** Whose turn it is: the candidate may answer only when this is `candidate`. */
        turn: 'interviewer' | 'candidate' | 'none';
      };
    }
  | { type: 'interviewer.delta'; data: { turn_id: string; text: string } }
  | { type: 'interviewer.audio'; data: { turn_id: string; seq: number; format: string; data: string } }
  | { type: 'interviewer.done'; data: { turn_id: string; text: string } }
  | { type: 'candidate.transcript'; data: { turn_id: string; text: string; final: boolean } }
  | { type: 'interview.completed'; data: { interview_id: string; reason: string } }
  | { type: 'error'; data: { code: string; message: string } };

/**
 * Whether the interview is over once this event is out. Its session tokens then stop working, so no one
 * subscribes to its stream again: a bus keeps such a stream only long enough for live readers to finish.
 */
export function endsInterview(event: SessionEvent): boolean {
  if (event.type === 'interview.completed') return true;
  return event.type === 'state' && ['completed', 'canceled', 'expired'].includes(event.data.status);
}

export interface DeliveredEvent {
  id: string;
  event: SessionEvent;
}

/**
 * Carries session events between whoever produces them (the instance running the interviewer's turn) and
 * whoever streams them (the instance holding the candidate's SSE connection). Redis Streams when
 * `REDIS_URL` is set, so any instance can serve any session; in process otherwise.
 */
export interface SessionEventBus {
  /**
   * Appends an event to the interview's stream; resolves to its id. Publishes made together, without
   * awaiting each, are appended in the order they were made (the contract tests hold both buses to it).
   */
  publish(interviewId: string, event: SessionEvent): Promise<string>;
  /**
   * Every event after `afterId` (all retained ones when null), then live ones as they are published, until
   * `signal` aborts. Ids increase; an id that is no longer retained replays what is retained.
   */
  subscribe(interviewId: string, afterId: string | null, signal: AbortSignal): AsyncIterable<DeliveredEvent>;
  /**
   * The id of the interview's latest event, null when the bus keeps none. Ids come from the bus's clock
   * (Redis's, for the Redis bus), not this process's: a subscriber that must tell what it replays from what
   * happens next reads this before it subscribes.
   */
  lastId(interviewId: string): Promise<string | null>;
  close(): Promise<void>;
}
