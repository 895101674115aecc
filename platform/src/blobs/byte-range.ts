/** A satisfiable byte range of a file, both ends inclusive, as `Content-Range` states it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one byte range a `Range` header asks for (`bytes=0-99`, `bytes=100-`, `bytes=-500`), or null to serve
 * the whole file: when there is no header, it asks for several ranges, it is malformed or it cannot be
 * satisfied. RFC 9110 lets a server ignore a Range it does not serve, and a 200 with the whole file is what a
 * media player (the reason for ranges here: seeking in a recording) copes with best.
 */
export function byteRange(header: string | undefined, size: number): ByteRange | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || size === 0) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Math.min(Number(last), size);
    return length === 0 ? null : { start: size - length, end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return null;
  return { start, end };
}
