/**
 * Session event ids have the shape of Redis stream ids, `<milliseconds>-<sequence>`, on both buses: a widget
 * can't tell which bus served it, and a `Last-Event-ID` compares the same way everywhere.
 */

const maxPart = 2n ** 64n - 1n; // Redis stores both parts as unsigned 64-bit integers
const idShape = /^(\d{1,20})-(\d{1,20})$/;

function partsOf(id: string): [bigint, bigint] {
  const match = idShape.exec(id);
  if (!match) throw new Error(`not a session event id: ${JSON.stringify(id)}`);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

/** Negative when `a` came before `b`, positive when after, 0 when they are the same event. */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = partsOf(a);
  const [bMs, bSeq] = partsOf(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

/**
 * The canonical form of a client-supplied `Last-Event-ID`, or null when it isn't one of our ids. Callers
 * treat null as "from the start": a garbled header then costs a replay of what is retained, which the
 * widget renders idempotently, instead of an error or a stream that silently skips events.
 */
export function parseEventId(raw: string | null | undefined): string | null {
  const match = raw ? idShape.exec(raw.trim()) : null;
  if (!match) return null;
  const ms = BigInt(match[1]!);
  const seq = BigInt(match[2]!);
  return ms > maxPart || seq > maxPart ? null : `${ms}-${seq}`;
}

/**
 * The smallest id after `id`, for an exclusive range start. Computed rather than written `(id` so the
 * Redis bus also runs on Redis before 6.2; null when nothing can follow.
 */
export function nextEventId(id: string): string | null {
  const [ms, seq] = partsOf(id);
  if (seq < maxPart) return `${ms}-${seq + 1n}`;
  return ms < maxPart ? `${ms + 1n}-0` : null;
}

/** Placed before every id either bus issues (Redis never issues 0-0), so "after it" means "everything". */
export const beforeFirstId = '0-0';
