/**
 * The time left, counted down once a second on this page between the platform's figures: each `anchor()`
 * sets it afresh, and each tick reports the whole seconds left since then, never below zero.
 */
export class Countdown {
  readonly #tick: (secondsLeft: number) => void;
  #clock: { timer: ReturnType<typeof setInterval>; seconds: number; at: number } | null = null;

  constructor(tick: (secondsLeft: number) => void) {
    this.#tick = tick;
  }

  get running(): boolean {
    return this.#clock !== null;
  }

  /** Counts down from `seconds` as of now: starts the clock, or resets the running one. */
  anchor(seconds: number): void {
    const at = performance.now();
    if (this.#clock) {
      this.#clock.seconds = seconds;
      this.#clock.at = at;
      return;
    }
    const clock = {
      seconds,
      at,
      timer: setInterval(() => {
        const elapsed = Math.floor((performance.now() - clock.at) / 1000);
        this.#tick(Math.max(0, clock.seconds - elapsed));
      }, 1000),
    };
    this.#clock = clock;
  }

  stop(): void {
    if (this.#clock) clearInterval(this.#clock.timer);
    this.#clock = null;
  }
}
