import { LRUCache } from 'lru-cache';
import type { Orm } from '../db/orm.ts';
import type { Caller } from '../http/operation.ts';
import { ApiKey } from './api-key.entity.ts';
import { findKeyRow, invalidKey } from './authenticate.ts';
import type { KeyChanges } from './key-changes.ts';
import { hashSecret, type ParsedSecret, parseSecret } from './key-format.ts';

/** last_used_at is kept to the minute: a write per request would double the cost of every read. */
const lastUsedPrecisionMs = 60_000;

interface RememberedKey {
  caller: Caller;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /**
   * The key's change mark, as read before its row was; null when the marks could not be asked, and then the
   * row is never trusted, only recalled (see `recall`).
   */
  mark: string | null;
}

export interface SecretKeysOptions {
  /**
   * How long a key's row is trusted without reading it again while its change mark stays the same. This
   * bounds only how long a change made behind the API's back (by hand, in SQL) goes unseen.
   */
  rememberMs?: number;
  /** Most keys remembered at once; the least recently used go first. */
  maxKeys?: number;
}

/**
 * Resolves secret keys to callers. The rows of keys in use are remembered in process, so a request reads
 * only the key's change mark (one Redis read, sent together with the rate limit's) instead of querying the
 * database. Revoking a key gives it a new mark (see KeyChanges), so every instance refuses the key from the
 * next request on, and rows are keyed by the secret's hash, never by the secret.
 *
 * When the marks cannot be asked (Redis down, or not answering within its bound), the row is read from the
 * database on every request instead: a key revoked meanwhile, on any instance, is still refused at once, at
 * the cost of one indexed query per request for the length of the outage. Trusting the remembered row
 * instead would spare the database but let a revoked key work on other instances for up to `rememberMs`.
 */
export class SecretKeys {
  readonly #orm: Orm;
  readonly #changes: KeyChanges;
  readonly #remembered: LRUCache<string, RememberedKey>;

  constructor(orm: Orm, changes: KeyChanges, options: SecretKeysOptions = {}) {
    this.#orm = orm;
    this.#changes = changes;
    this.#remembered = new LRUCache({ max: options.maxKeys ?? 10_000, ttl: options.rememberMs ?? 30_000 });
  }

  /**
   * The caller this secret resolved to lately, unchecked: a request may start spending that caller's budget
   * while `authenticate` checks the key, and must still go by what `authenticate` says.
   */
  recall(secret: string): Caller | undefined {
    return this.#remembered.peek(hashSecret(secret))?.caller;
  }

  /** The key's caller, or `invalid_api_key` for a key that is unknown, revoked or expired. */
  async authenticate(secret: string): Promise<Caller> {
    const parsed = parseSecret(secret);
    if (!parsed) throw invalidKey();
    const hash = hashSecret(secret);
    // Asked before the row is read (see KeyChanges). When the store cannot answer, the row is read every time.
    const mark = await this.#changes.markOf(parsed.lookup).catch(() => null);
    let key = this.#remembered.get(hash);
    if (!key || mark === null || key.mark !== mark) key = await this.#read(parsed, hash, mark);
    const now = new Date();
    if (key.expiresAt && key.expiresAt <= now) {
      this.#remembered.delete(hash);
      throw invalidKey();
    }
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > lastUsedPrecisionMs) {
      // Noted first, so the requests that arrive meanwhile don't write it too.
      key.lastUsedAt = now;
      await this.#orm.em.fork().nativeUpdate(ApiKey, { id: key.caller.keyId }, { lastUsedAt: now });
    }
    return key.caller;
  }

  async #read(parsed: ParsedSecret, hash: string, mark: string | null): Promise<RememberedKey> {
    const row = await findKeyRow(this.#orm.em.fork(), parsed, hash);
    if (!row || row.revokedAt) {
      this.#remembered.delete(hash);
      throw invalidKey();
    }
    const key: RememberedKey = {
      // Shared by every request that uses the key: frozen, so no handler can change it for the others.
      caller: Object.freeze({
        tenantId: row.tenantId,
        livemode: row.livemode,
        keyId: row.id,
        scopes: Object.freeze([...row.scopes]) as string[],
      }),
      expiresAt: row.expiresAt ?? null,
      lastUsedAt: row.lastUsedAt ?? null,
      mark,
    };
    // Remembered even without a mark, for `recall`: a request then checks its key and spends its budget
    // together, so an outage costs it one wait for Redis, not two in a row.
    this.#remembered.set(hash, key);
    return key;
  }
}
