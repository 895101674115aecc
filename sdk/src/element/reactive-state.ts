import type { ReactiveControllerHost } from 'lit';

/**
 * What a reactive controller keeps for its host to render: a change re-renders the host, as a `@state()`
 * field's does, and a value set again unchanged does not (the microphone level, about 20 times a second).
 */
export class ReactiveState<T extends object> {
  #value: Readonly<T>;

  constructor(
    private readonly host: ReactiveControllerHost,
    initial: T,
  ) {
    this.#value = initial;
  }

  get value(): Readonly<T> {
    return this.#value;
  }

  set(patch: Partial<T>): void {
    // `Object.is`, as Lit compares a property's old and new value.
    const changed = (Object.keys(patch) as (keyof T)[]).some(
      (key) => !Object.is(this.#value[key], patch[key]),
    );
    if (!changed) return;
    this.#value = { ...this.#value, ...patch };
    this.host.requestUpdate();
  }
}
