import { ApiError } from './http/api-error.ts';

/** The most keys an object's metadata may hold, after a PATCH merge as at creation. */
export const maxMetadataKeys = 50;

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

/** Applies a PATCH's metadata update, refusing a result over the limit (the schema can only bound the update). */
export function updateMetadata(
  current: Record<string, string>,
  update: Record<string, string | null> | undefined,
): Record<string, string> {
  const merged = mergeMetadata(current, update);
  if (Object.keys(merged).length > maxMetadataKeys) {
    throw new ApiError('invalid_request', `metadata may hold at most ${maxMetadataKeys} keys.`, {
      param: 'metadata',
    });
  }
  return merged;
}
