/**
 * Applies a metadata update: given keys are set, keys set to null are removed (as Stripe's empty string).
 * Every key is plain data, `__proto__` and `constructor` included, as it is when a create stores it: the
 * keys go through a Map and back, never through an assignment that could reach an object's prototype.
 */
export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string | null> | undefined,
): Record<string, string> {
  if (!update) return current;
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(update)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}
