/**
 * Publishes a turn's text as fast as the bus takes it, and no faster: text that arrives while the previous
 * piece is still being published joins the next piece. A model writing at its own pace (a token every few
 * tens of milliseconds) still gets one event per delta; a model that writes a whole reply at once, or a
 * platform under load, sends a few events per reply instead of one per word, so each event the bus, the
 * live readers and every SSE stream carry is worth its cost. The first piece always goes out at once.
 */
export class DeltaPublisher {
  readonly #publish: (text: string) => Promise<unknown>;
  #pending = '';
  #sending: Promise<void> | null = null;
  #failure: { error: unknown } | null = null;

  constructor(publish: (text: string) => Promise<unknown>) {
    this.#publish = publish;
  }

  /** Queues `text`; throws if an earlier piece could not be published, so a broken bus stops the turn. */
  push(text: string): void {
    if (this.#failure) throw this.#failure.error;
    this.#pending += text;
    this.#sending ??= this.#send();
  }

  /** Resolves once everything pushed is published; rejects with the first failure. */
  async flush(): Promise<void> {
    await this.#sending;
    if (this.#failure) throw this.#failure.error;
  }

  async #send(): Promise<void> {
    try {
      while (this.#pending !== '') {
        const text = this.#pending;
        this.#pending = '';
        await this.#publish(text);
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#sending = null;
    }
  }
}
