import { ApiError } from '../http/api-error.ts';

/**
 * Event streams one interview may hold open at once on one instance. The widget keeps one; a reloaded tab's
 * old stream closes as the page unloads. The spare four are for streams whose connection died without the
 * server hearing of it yet (a laptop that slept, a network that changed), which linger until a heartbeat
 * write fails (on a half-open connection, up to about 15 minutes of TCP retransmissions), so a widget that
 * reconnects after a few such drops is not refused. Five is still far from what would hurt an instance.
 */
export const maxStreamsPerInterview = 5;

/** What a refused stream is told to wait: about how long a lingering stream's end takes to be noticed. */
const retryAfterSeconds = 5;

/**
 * Counts the event streams each interview has open on this instance, and refuses one more past the cap.
 *
 * A refusal, not closing the oldest stream to make room: nothing on a stream tells the widget to stay away,
 * so a closed one reconnects within seconds and would close the next oldest in turn, and pages past the cap
 * would take turns forever. A refused stream backs off, and the widget gives up after its last attempt.
 */
export class StreamLimit {
  readonly #open = new Map<string, number>();
  readonly #perInterview: number;

  constructor(perInterview: number = maxStreamsPerInterview) {
    this.#perInterview = perInterview;
  }

  /**
   * Takes a place for a new stream of the interview, or throws `rate_limited` when it has no place left.
   * Returns the release, to call once when the stream ends.
   */
  admit(interviewId: string): () => void {
    const open = this.#open.get(interviewId) ?? 0;
    if (open >= this.#perInterview) {
      throw new ApiError(
        'rate_limited',
        `This interview already has ${open} event streams open, the most one interview may hold; close one (or wait for a closed page's stream to end) and retry after ${retryAfterSeconds} s.`,
        { headers: { 'Retry-After': String(retryAfterSeconds) } },
      );
    }
    this.#open.set(interviewId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(interviewId) ?? 1) - 1;
      if (left > 0) this.#open.set(interviewId, left);
      else this.#open.delete(interviewId);
    };
  }
}
