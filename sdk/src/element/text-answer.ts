import type { ReactiveControllerHost } from 'lit';
import type { InterviewClientLike } from './interview-client-like.ts';
import { ReactiveState } from './reactive-state.ts';

/** The typed answer: the draft in the answer box, and whether it is being sent. */
export class TextAnswerController {
  readonly #view: ReactiveState<{ draft: string; sending: boolean }>;

  constructor(
    host: ReactiveControllerHost,
    /** The element's client, read afresh after the send: it may have been replaced meanwhile. */
    private readonly client: () => InterviewClientLike | null,
  ) {
    this.#view = new ReactiveState(host, { draft: '', sending: false });
  }

  get draft(): string {
    return this.#view.value.draft;
  }

  get sending(): boolean {
    return this.#view.value.sending;
  }

  setDraft(draft: string): void {
    this.#view.set({ draft });
  }

  /** Sends the draft; once the client has it, the box empties (unless the candidate typed on meanwhile). */
  async send(): Promise<void> {
    const client = this.client();
    const text = this.draft.trim();
    if (!client || !text || this.sending) return;
    this.#view.set({ sending: true });
    try {
      await client.sendText(text);
      if (client === this.client() && this.draft.trim() === text) this.#view.set({ draft: '' });
    } catch {
      // The draft stays, to send again; the client reports the failure.
    } finally {
      this.#view.set({ sending: false });
    }
  }

  /** An empty box, for another interview. */
  reset(): void {
    this.#view.set({ draft: '', sending: false });
  }
}
