import type { LitElement, PropertyValues } from 'lit';

/**
 * Runs the decorated method when one of the named properties changes, before the element renders, with
 * the old and the new value: a reaction to one property stays beside it instead of in one large
 * `updated()`. With `waitUntilFirstUpdate`, the first assignment (from markup) is not a change.
 */
export function watch(property: string | string[], options: { waitUntilFirstUpdate?: boolean } = {}) {
  const properties = Array.isArray(property) ? property : [property];
  return <E extends LitElement>(prototype: E, methodName: string) => {
    const { update } = prototype as unknown as { update: (changed: PropertyValues) => void };
    Object.defineProperty(prototype, 'update', {
      configurable: true,
      writable: true,
      value(this: E, changed: PropertyValues) {
        for (const name of properties) {
          if (!changed.has(name)) continue;
          const oldValue = changed.get(name);
          const newValue = (this as unknown as Record<string, unknown>)[name];
          if (oldValue === newValue || (options.waitUntilFirstUpdate && !this.hasUpdated)) continue;
          (this as unknown as Record<string, (a: unknown, b: unknown) => void>)[methodName]!(
            oldValue,
            newValue,
          );
        }
        update.call(this, changed);
      },
    });
  };
}
