import { setTimeout as delay } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Orm } from '../db/orm.ts';
import { newId } from '../ids.ts';
import { SigningKey } from './signing-key.entity.ts';

export const signingAlgorithm = 'EdDSA';

/** The longest a session token may live; a rotated-out key must keep verifying at least this long. */
export const maxSessionTtlSeconds = 24 * 60 * 60;

/** What a JWKS consumer needs to verify a session token, and nothing private. */
export interface PublicSigningJwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  alg: typeof signingAlgorithm;
  use: 'sig';
}

export interface SigningKeysOptions {
  /**
   * How long keys read from the database are trusted before they are read again: verifying a token costs
   * no round trip, yet a rotation on another instance is seen within this time.
   */
  cacheMs?: number;
}

interface LoadedKey {
  kid: string;
  retiredAt: Date | null;
  publicJwk: PublicSigningJwk;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

/** Any fixed number: the advisory lock that lets one instance at a time create or rotate keys. */
const keyLock = 7_340_202;
/** A token naming a kid we do not know makes us read keys again, but at most this often. */
const missRefreshMs = 1_000;
/** Clocks of instances behind one load balancer differ a little; a retiring key outlives its tokens by this. */
const clockSkewMs = 60_000;

/**
 * The Ed25519 keys that sign session tokens, kept in the database so every instance signs and verifies
 * with the same set. The newest key that is not retired signs; every key not yet past `retired_at` verifies.
 */
export class SigningKeys {
  readonly #orm: Orm;
  readonly #cacheMs: number;
  #cache: { keys: LoadedKey[]; loadedAt: number } | null = null;
  #loading: Promise<LoadedKey[]> | null = null;
  #reread: { startsAt: number; promise: Promise<LoadedKey[]> } | null = null;

  constructor(orm: Orm, options: SigningKeysOptions = {}) {
    this.#orm = orm;
    this.#cacheMs = options.cacheMs ?? 30_000;
  }

  /** The key new tokens are signed with; the first call on an empty database creates it. */
  async activeKey(): Promise<{ kid: string; privateKey: CryptoKey }> {
    let active = (await this.#keys()).find((key) => key.retiredAt === null);
    if (!active) {
      await this.#locked(async (em) => {
        if ((await em.count(SigningKey, { retiredAt: null })) === 0) await insertKey(em);
      });
      active = (await this.#keys(true)).find((key) => key.retiredAt === null);
    }
    if (!active) throw new Error('No active signing key after creating one');
    return { kid: active.kid, privateKey: active.privateKey };
  }

  /**
   * Starts signing with a new key. The previous one keeps verifying until every token it may have signed has
   * expired: the longest lifetime, plus the time another instance may still sign with it from its cache.
   */
  async rotate(): Promise<string> {
    const retiredAt = new Date(Date.now() + maxSessionTtlSeconds * 1000 + this.#cacheMs + clockSkewMs);
    const kid = await this.#locked(async (em) => {
      await em.nativeUpdate(SigningKey, { retiredAt: null }, { retiredAt });
      return insertKey(em);
    });
    this.#cache = null;
    return kid;
  }

  /** Every key a live token may be signed with. */
  async verificationKeys(): Promise<{ kid: string; publicKey: CryptoKey }[]> {
    return (await this.#keys()).map(({ kid, publicKey }) => ({ kid, publicKey }));
  }

  /**
   * The key for a token's `kid`. An unknown kid may be a key another instance created since our last read,
   * so we read again — no sooner than `missRefreshMs` after the previous read, and concurrent misses share
   * one read: tokens with made-up kids cost the database at most one query per interval.
   */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    const find = (keys: LoadedKey[]) => keys.find((key) => key.kid === kid)?.publicKey ?? null;
    const known = find(await this.#keys());
    if (known) return known;
    // Join a pending re-read only if it has not started: one already querying may predate this kid. The next
    // one is spaced from the last read's start, which is the cache's time once it is done, and its own while
    // it still runs: a slow database must not let each miss start another read.
    let reread = this.#reread;
    if (!reread || reread.startsAt < Date.now()) {
      const lastReadAt = Math.max(this.#cache?.loadedAt ?? 0, reread?.startsAt ?? 0);
      const startsAt = Math.max(Date.now(), lastReadAt + missRefreshMs);
      const pending = { startsAt, promise: delay(startsAt - Date.now()).then(() => this.#keys(true)) };
      const forget = () => {
        if (this.#reread === pending) this.#reread = null;
      };
      pending.promise.then(forget, forget);
      this.#reread = reread = pending;
    }
    return find(await reread.promise);
  }

  /** The public half of every verification key, for `/.well-known/jwks.json`. */
  async jwks(): Promise<{ keys: PublicSigningJwk[] }> {
    // Make sure a fresh install publishes a key before the first token is minted.
    await this.activeKey();
    return { keys: (await this.#keys()).map((key) => key.publicJwk) };
  }

  async #keys(fresh = false): Promise<LoadedKey[]> {
    const now = Date.now();
    if (fresh || !this.#cache || now - this.#cache.loadedAt >= this.#cacheMs) {
      // Concurrent readers share one query; a fresh read must not join one that began before our own write.
      const loading = fresh || !this.#loading ? this.#load() : this.#loading;
      this.#cache = { keys: await loading, loadedAt: now };
    }
    // A cached key stops verifying on time, without waiting for the next read.
    return this.#cache.keys.filter((key) => key.retiredAt === null || key.retiredAt.getTime() > now);
  }

  #load(): Promise<LoadedKey[]> {
    const loading = loadKeys(this.#orm.em.fork()).finally(() => {
      if (this.#loading === loading) this.#loading = null;
    });
    this.#loading = loading;
    return loading;
  }

  /** Serialises key creation across instances, so two first requests racing cannot leave two active keys. */
  #locked<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.#orm.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(?)', [keyLock]);
      return run(tx);
    });
  }
}

async function insertKey(em: EntityManager): Promise<string> {
  const pair = await generateKeyPair(signingAlgorithm, { crv: 'Ed25519', extractable: true });
  const kid = newId('signingKey');
  em.create(SigningKey, {
    kid,
    algorithm: signingAlgorithm,
    publicJwk: await exportJWK(pair.publicKey),
    privateJwk: await exportJWK(pair.privateKey),
    createdAt: new Date(),
    retiredAt: null,
  });
  await em.flush();
  return kid;
}

async function loadKeys(em: EntityManager): Promise<LoadedKey[]> {
  const rows = await em.find(
    SigningKey,
    { $or: [{ retiredAt: null }, { retiredAt: { $gt: new Date() } }] },
    { orderBy: { createdAt: 'desc', kid: 'desc' } },
  );
  return Promise.all(
    rows.map(async (row) => ({
      kid: row.kid,
      retiredAt: row.retiredAt ?? null,
      publicJwk: publicJwkOf(row.kid, row.publicJwk),
      publicKey: await importKey(row.publicJwk),
      privateKey: await importKey(row.privateJwk),
    })),
  );
}

function publicJwkOf(kid: string, jwk: JWK): PublicSigningJwk {
  if (jwk.kty !== 'OKP' || !jwk.crv || !jwk.x) throw new Error(`Signing key ${kid} is not an OKP key`);
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: signingAlgorithm, use: 'sig' };
}

async function importKey(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, signingAlgorithm);
  if (key instanceof Uint8Array) throw new Error('A signing key imported as a symmetric secret');
  return key;
}
