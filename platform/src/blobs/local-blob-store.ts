import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import {
  access,
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ApiError } from '../http/api-error.ts';
import {
  assertExpiry,
  assertSafeKey,
  assertSafePrefix,
  type BlobStore,
  type StoredBlob,
} from './blob-store.ts';
import { type ByteRange, byteRange } from './byte-range.ts';

export interface LocalBlobStoreOptions {
  dir: string;
  /** Where this platform is reachable (http://127.0.0.1:4000): signed URLs point at its `/blobs` route. */
  publicBaseUrl: string;
  signingSecret: Buffer;
}

/** A download link that was tampered with, cut short or has expired. */
export class SignatureError extends Error {
  constructor(message = 'This download link is invalid or has expired.') {
    super(message);
    this.name = 'SignatureError';
  }
}

interface BlobMeta {
  contentType: string;
}

// A key `a/b` is stored as `a/b.blob` plus `a/b.meta.json`, so one key may also be a folder of others
// (`a/b/c`), as in S3. In-flight writes carry a `.<random>.tmp` tail next to their target.
const blobSuffix = '.blob';
const metaSuffix = '.meta.json';
const storedFile = /^(.+)(?:\.blob|\.meta\.json)(?:\.[\w-]+\.tmp)?$/;

/**
 * Blobs in a directory, for development and single-machine installs. The platform itself serves the signed
 * URLs (see blob-routes.ts); a URL carries an HMAC of the key, its expiry and the download name.
 */
export class LocalBlobStore implements BlobStore {
  readonly #dir: string;
  readonly #publicBaseUrl: string;
  readonly #secret: Buffer;

  constructor(options: LocalBlobStoreOptions) {
    if (options.signingSecret.length < 32)
      throw new Error('The blob signing secret needs at least 32 bytes.');
    this.#dir = resolve(options.dir);
    this.#publicBaseUrl = options.publicBaseUrl.replace(/\/+$/, '');
    this.#secret = options.signingSecret;
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const path = this.#pathOf(key);
    const meta: BlobMeta = { contentType };
    // A concurrent deletePrefix may remove a folder it just emptied between our mkdir and write: retry once.
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        // Meta first, then bytes: whoever sees the bytes also finds a type for them.
        await writeAtomically(path + metaSuffix, JSON.stringify(meta));
        await writeAtomically(path + blobSuffix, body);
        return;
      } catch (error) {
        if (attempt > 1 || !isMissing(error)) throw error;
      }
    }
  }

  async get(key: string): Promise<StoredBlob | null> {
    return this.#read(key, undefined);
  }

  /** The blob, or the one byte range of it `rangeHeader` asks for (see `byteRange`). */
  async #read(
    key: string,
    rangeHeader: string | undefined,
  ): Promise<(StoredBlob & { range: ByteRange | null }) | null> {
    const path = this.#pathOf(key);
    let handle: FileHandle;
    try {
      // Size and stream come from one open file, so an overwrite racing this read cannot mix them.
      handle = await open(path + blobSuffix, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const [stats, meta] = await Promise.all([handle.stat(), readMeta(path + metaSuffix)]);
      if (!meta) {
        await handle.close();
        return null;
      }
      const range = byteRange(rangeHeader, stats.size);
      const body = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
      return { body, contentType: meta.contentType, size: stats.size, range };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#pathOf(key);
    await rm(path + blobSuffix, { force: true });
    await rm(path + metaSuffix, { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertSafePrefix(prefix);
    const folderKey = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0));
    const folder = folderKey ? join(this.#dir, ...folderKey.split('/')) : this.#dir;
    await this.#erase(folder, folderKey, prefix);
    await this.#pruneEmptyFolders(folder);
  }

  async signedUrl(
    key: string,
    options: { expiresInSeconds: number; downloadName?: string },
  ): Promise<string> {
    assertSafeKey(key);
    assertExpiry(options.expiresInSeconds);
    const encodedKey = Buffer.from(key).toString('base64url');
    const expires = String(Math.floor(Date.now() / 1000) + options.expiresInSeconds);
    const query = new URLSearchParams({
      expires,
      signature: this.#sign(encodedKey, expires, options.downloadName).toString('base64url'),
    });
    if (options.downloadName !== undefined) query.set('name', options.downloadName);
    return `${this.#publicBaseUrl}/blobs/${encodedKey}?${query}`;
  }

  /**
   * Opens the blob behind a signed URL's parts (only the byte range `rangeHeader` asks for, if it asks for
   * one this serves), or throws SignatureError / ApiError('resource_missing').
   */
  async openSigned(
    encodedKey: string,
    expires: string | undefined,
    signature: string | undefined,
    name?: string,
    rangeHeader?: string,
  ): Promise<StoredBlob & { downloadName?: string; range: ByteRange | null }> {
    if (expires === undefined || !/^\d{1,12}$/.test(expires) || signature === undefined) {
      throw new SignatureError();
    }
    const expected = this.#sign(encodedKey, expires, name);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SignatureError();
    if (Number(expires) * 1000 <= Date.now()) throw new SignatureError();

    const blob = await this.#read(Buffer.from(encodedKey, 'base64url').toString('utf8'), rangeHeader);
    if (!blob) throw new ApiError('resource_missing', 'The file behind this download link no longer exists.');
    return { ...blob, downloadName: name };
  }

  async check(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await access(this.#dir, constants.R_OK | constants.W_OK);
  }

  #sign(encodedKey: string, expires: string, downloadName: string | undefined): Buffer {
    const payload =
      downloadName === undefined ? `${encodedKey}.${expires}` : `${encodedKey}.${expires}.${downloadName}`;
    return createHmac('sha256', this.#secret).update(payload).digest();
  }

  #pathOf(key: string): string {
    assertSafeKey(key);
    const segments = key.split('/');
    // Such a folder would collide with the files of a shorter key (`a/b.blob/c` against `a/b`).
    if (
      segments.slice(0, -1).some((segment) => segment.endsWith(blobSuffix) || segment.endsWith(metaSuffix))
    ) {
      throw new Error(`Unsafe blob key ${JSON.stringify(key)}: a folder name ends with .blob or .meta.json.`);
    }
    return join(this.#dir, ...segments);
  }

  /** Removes every stored file, half-written ones included, whose key starts with prefix. */
  async #erase(folder: string, folderKey: string, prefix: string): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const childKey = folderKey ? `${folderKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (`${childKey}/`.startsWith(prefix)) await rm(path, { recursive: true, force: true });
        continue;
      }
      const stem = storedFile.exec(entry.name)?.[1];
      if (stem !== undefined && (folderKey ? `${folderKey}/${stem}` : stem).startsWith(prefix)) {
        await rm(path, { force: true });
      }
    }
  }

  async #pruneEmptyFolders(folder: string): Promise<void> {
    for (
      let current = folder;
      current.startsWith(this.#dir) && current !== this.#dir;
      current = dirname(current)
    ) {
      try {
        await rmdir(current);
      } catch (error) {
        if (!isMissing(error)) return; // not empty: every folder above is still needed
      }
    }
  }
}

async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('base64url')}.tmp`;
  try {
    await writeFile(temporary, data, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function readMeta(path: string): Promise<BlobMeta | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as BlobMeta;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
