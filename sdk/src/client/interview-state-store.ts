import { Countdown } from './countdown.ts';
import type { InterviewClientEventMap, InterviewState } from './types.ts';

/** A client's state before `load()`: also what a view shows while it has no client. */
export const initialState: InterviewState = Object.freeze({
  status: 'idle',
  session: null,
  turn: 'none',
  questionIndex: 0,
  questionCount: 0,
  timeLeftSeconds: null,
  speaking: null,
  listening: false,
  transport: null,
  muted: false,
  pendingAnswers: 0,
  error: null,
  completion: null,
});

/**
 * What an `InterviewClient` tells its listeners: its `InterviewState`, replaced by a frozen snapshot and
 * announced as a `state` event on each change, and its other events, dispatched from the client. Once closed,
 * it tells nothing more. While the interview is live, the time left counts down here between the platform's
 * figures.
 */
export class InterviewStateStore {
  readonly #target: EventTarget;
  #state: InterviewState = initialState;
  #closed = false;
  readonly #countdown = new Countdown((left) => {
    if (left !== this.#state.timeLeftSeconds) this.set({ timeLeftSeconds: left });
  });

  /** `target` dispatches the events: the client itself. */
  constructor(target: EventTarget) {
    this.#target = target;
  }

  get current(): InterviewState {
    return this.#state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  set(patch: Partial<InterviewState>): void {
    if (this.#closed) return;
    const next = { ...this.#state, ...patch };
    const changed = (Object.keys(patch) as (keyof InterviewState)[]).some(
      (key) => this.#state[key] !== next[key],
    );
    if (!changed) return;
    this.#state = Object.freeze(next);
    // The clock runs while live only: elsewhere, the next `state` event brings the platform's figure.
    if (next.status !== 'live') this.#countdown.stop();
    else if (!this.#countdown.running && next.timeLeftSeconds !== null) {
      this.#countdown.anchor(next.timeLeftSeconds);
    }
    this.emit('state', this.#state);
  }

  /** The platform's figure for the time left: a running clock counts from it, and a live interview's starts. */
  anchorCountdown(seconds: number): void {
    if (this.#countdown.running || this.#state.status === 'live') this.#countdown.anchor(seconds);
  }

  emit<K extends keyof InterviewClientEventMap>(type: K, detail: InterviewClientEventMap[K]['detail']): void {
    if (!this.#closed) this.#target.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Nothing is changed or told from now on, and the clock stops. */
  close(): void {
    this.#closed = true;
    this.#countdown.stop();
  }
}
