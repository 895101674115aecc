import { interrupted } from './run-main.ts';

/**
 * Runs `work` on every item, at most `limit` at a time. Once the bench is interrupted it starts no more, so
 * the results of the items it skipped are missing: callers check `throwIfInterrupted()` before using them.
 */
export async function inParallel<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !interrupted()) {
      const at = next++;
      results[at] = await work(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
