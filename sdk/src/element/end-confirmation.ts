import type { ReactiveControllerHost } from 'lit';
import { emit } from './events.ts';
import type { FocusController } from './focus.ts';
import { ReactiveState } from './reactive-state.ts';

/** The element, as far as ending its interview goes. */
export interface EndingHost extends ReactiveControllerHost, HTMLElement {
  /** Ends the interview now. */
  end(): Promise<void>;
}

/**
 * The candidate ending the interview: End asks for a confirmation, and the confirmed end is first offered to
 * the host page as the cancelable `interview-end-request`, which may keep the interview going. The focus
 * moves with each step, so a keyboard user never loses it.
 */
export class EndConfirmationController {
  readonly #view: ReactiveState<{ confirming: boolean; ending: boolean }>;

  constructor(
    private readonly host: EndingHost,
    private readonly focus: FocusController,
    /** The interview being ended, for `interview-end-request`. */
    private readonly interviewId: () => string,
  ) {
    this.#view = new ReactiveState(host, { confirming: false, ending: false });
  }

  /** The confirmation step shows. */
  get confirming(): boolean {
    return this.#view.value.confirming;
  }

  /** The end was confirmed and is under way. */
  get ending(): boolean {
    return this.#view.value.ending;
  }

  async ask(): Promise<void> {
    this.#view.set({ confirming: true });
    await this.host.updateComplete;
    this.focus.focusPart('end-cancel-button');
  }

  async cancel(): Promise<void> {
    this.#view.set({ confirming: false });
    await this.host.updateComplete;
    this.focus.focusPart('end-button');
  }

  async confirm(): Promise<void> {
    // A second click while the first is under way asks nothing new of the host.
    if (this.ending) return;
    const allowed = emit(
      this.host,
      'interview-end-request',
      { interviewId: this.interviewId() },
      { cancelable: true },
    );
    if (!allowed) {
      await this.cancel();
      return;
    }
    this.#view.set({ ending: true });
    try {
      await this.host.end();
    } catch {
      // The client reports the failure as its error, which the live screen shows.
    } finally {
      this.#view.set({ ending: false });
    }
  }

  /** The confirmation step closes without a word: the interview ended or failed, or another one began. */
  dismiss(): void {
    this.#view.set({ confirming: false });
  }
}
