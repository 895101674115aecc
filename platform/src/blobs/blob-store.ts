import type { Readable } from 'node:stream';

export interface StoredBlob {
  body: Readable;
  contentType: string;
  size: number;
}

/**
 * Where uploaded files (résumés, recordings) live. Keys are slash-separated paths such as
 * `ten_xxx/test/cand_xxx/resume/<random>`, so erasing a candidate is one `deletePrefix`.
 */
export interface BlobStore {
  /** Stores bytes under a key (overwrites). */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<StoredBlob | null>;
  /** Idempotent. */
  delete(key: string): Promise<void>;
  /** Deletes every blob whose key starts with prefix (used to erase a candidate). Idempotent. */
  deletePrefix(prefix: string): Promise<void>;
  /** A short-lived URL that downloads the blob without other credentials. */
  signedUrl(key: string, options: { expiresInSeconds: number; downloadName?: string }): Promise<string>;
  /** Throws when the store cannot be reached (readiness probe). */
  check(): Promise<void>;
}

/**
 * Keys become file paths in the local store, so anything that could climb out of its directory or mean
 * two things on disk is refused in every store alike: a key valid in development stays valid in production.
 */
export function assertSafeKey(key: string): void {
  assertSafePath(key, 'key');
}

/** A prefix may end with "/" (a whole folder) but may not be empty: that would erase every blob. */
export function assertSafePrefix(prefix: string): void {
  assertSafePath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, 'prefix');
}

const unsafe: [RegExp, string][] = [
  [/^$/, 'it is empty'],
  [/^\//, 'it starts with "/"'],
  [/\.\./, 'it contains ".."'],
  [/[\\\0]/, 'it contains a backslash or NUL'],
  [/(^|\/)\.?(\/|$)/, 'it has an empty or "." segment'],
];

function assertSafePath(path: string, what: string): void {
  for (const [pattern, problem] of unsafe) {
    if (pattern.test(path)) throw new Error(`Unsafe blob ${what} ${JSON.stringify(path)}: ${problem}.`);
  }
}

export function assertExpiry(expiresInSeconds: number): void {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds <= 0) {
    throw new Error(`A signed URL needs a positive whole number of seconds, not ${expiresInSeconds}.`);
  }
}
