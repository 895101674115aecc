import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { mintSessionToken, verifySessionToken } from '../../src/sessions/session-token.ts';
import { maxSessionTtlSeconds, SigningKeys } from '../../src/sessions/signing-keys.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { withDatabase } from '../support/interview-flow.ts';

let test: TestPlatform;
let orm: Orm;
const issuer = 'https://viva.example';
const grant = {
  interviewId: 'int_0000000000000000000000000a',
  tenantId: 'ten_0000000000000000000000000b',
  livemode: false,
  allowedOrigins: [],
  ttlSeconds: 600,
  startBy: new Date(Date.now() + 300_000),
};

beforeAll(async () => {
  test = await startTestPlatform();
  orm = test.platform.services.db.orm;
});
afterAll(async () => test?.stop());

interface KeyRow {
  kid: string;
  retiredAt: number | null;
}

async function rows(): Promise<KeyRow[]> {
  const found = await orm.em
    .fork()
    .execute<{ kid: string; retired_at: string | Date | null }[]>(
      'select kid, retired_at from signing_keys order by created_at, kid',
    );
  return found.map((row) => ({
    kid: row.kid,
    retiredAt: row.retired_at === null ? null : new Date(row.retired_at).getTime(),
  }));
}

async function kidOf(token: string): Promise<string | undefined> {
  return decodeProtectedHeader(token).kid;
}

async function mint(keys: SigningKeys): Promise<string> {
  return (await mintSessionToken(keys, grant, issuer)).token;
}

function rejection(keys: SigningKeys, token: string): Promise<unknown> {
  return verifySessionToken(keys, token, issuer).catch((error: unknown) => error);
}

// In order: the first test needs the empty table a fresh database starts with.
describe('signing keys in the shared database', () => {
  it('creates exactly one first key when many instances ask at once', async () => {
    expect(await rows()).toEqual([]);
    const instances = Array.from({ length: 8 }, () => new SigningKeys(orm));
    const active = await Promise.all(instances.map((keys) => keys.activeKey()));
    const stored = await rows();
    expect(stored, JSON.stringify(stored)).toHaveLength(1);
    expect(new Set(active.map((key) => key.kid))).toEqual(new Set([stored[0]?.kid]));
  });

  it("lets two platform instances verify each other's tokens", async () => {
    const one = new SigningKeys(orm);
    const two = new SigningKeys(orm);
    await expect(verifySessionToken(two, await mint(one), issuer)).resolves.toMatchObject({
      interviewId: grant.interviewId,
    });
    await expect(verifySessionToken(one, await mint(two), issuer)).resolves.toMatchObject({
      interviewId: grant.interviewId,
    });
  });

  it('keeps old tokens working across a rotation, signs new ones with the new key, publishes both', async () => {
    const keys = new SigningKeys(orm);
    const before = await mint(keys);
    const oldKid = await kidOf(before);
    const rotatedAt = Date.now();
    const newKid = await keys.rotate();
    expect(newKid).not.toBe(oldKid);

    await expect(verifySessionToken(keys, before, issuer)).resolves.toMatchObject({
      interviewId: grant.interviewId,
    });
    const after = await mint(keys);
    expect(await kidOf(after)).toBe(newKid);
    await expect(verifySessionToken(keys, after, issuer)).resolves.toBeTruthy();

    const jwks = await keys.jwks();
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
    for (const key of jwks.keys) {
      expect(key).toEqual({
        kty: 'OKP',
        crv: 'Ed25519',
        x: expect.any(String),
        kid: key.kid,
        alg: 'EdDSA',
        use: 'sig',
      });
    }

    // The old key retires no sooner than the longest-lived token it could have signed expires.
    const old = (await rows()).find((row) => row.kid === oldKid);
    expect(old?.retiredAt).toBeGreaterThanOrEqual(rotatedAt + maxSessionTtlSeconds * 1000);
    expect((await rows()).filter((row) => row.retiredAt === null).map((row) => row.kid)).toEqual([newKid]);
  });

  it('picks up a rotation made by another instance, for signing after its cache and for verifying at once', async () => {
    const here = new SigningKeys(orm, { cacheMs: 200 });
    const elsewhere = new SigningKeys(orm);
    const oldKid = await kidOf(await mint(here));
    const newKid = await elsewhere.rotate();
    // A token from the other instance's new key verifies here though our cache predates the key.
    await expect(verifySessionToken(here, await mint(elsewhere), issuer)).resolves.toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await kidOf(await mint(here))).toBe(newKid);
    expect(newKid).not.toBe(oldKid);
  });

  it('stops accepting tokens of a key once its retirement time has passed', async () => {
    const keys = new SigningKeys(orm, { cacheMs: 0 });
    const before = await mint(keys);
    const oldKid = await kidOf(before);
    await keys.rotate();
    await expect(verifySessionToken(keys, before, issuer)).resolves.toBeTruthy();
    await orm.em
      .fork()
      .execute(`update signing_keys set retired_at = now() - interval '1 second' where kid = ?`, [oldKid]);

    expect(await rejection(keys, before)).toMatchObject({ status: 401, code: 'invalid_session_token' });
    expect(await rejection(new SigningKeys(orm), before)).toMatchObject({ status: 401 });
    expect((await keys.jwks()).keys.map((key) => key.kid)).not.toContain(oldKid);
    await expect(verifySessionToken(keys, await mint(keys), issuer)).resolves.toBeTruthy();
  });

  it('stops accepting a key at its retirement time even while the key is cached', async () => {
    const keys = new SigningKeys(orm);
    const before = await mint(keys);
    const oldKid = await kidOf(before);
    await orm.em
      .fork()
      .execute(`update signing_keys set retired_at = now() + interval '1 second' where kid = ?`, [oldKid]);
    const cached = new SigningKeys(orm);
    await expect(verifySessionToken(cached, before, issuer)).resolves.toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await rejection(cached, before)).toMatchObject({ status: 401 });
  });

  it.runIf(process.env.VIVA_TEST_BACKEND === 'postgres')(
    'reads the keys again at most once a second, however many tokens name unknown kids, however slow the read',
    async () => {
      const keys = new SigningKeys(orm);
      await keys.verificationKeys();
      const waitingReads = await withDatabase(test.databaseUrl!, async (admin) => {
        await admin.query('begin');
        // Every read of the keys now waits, as on a database under load.
        await admin.query('lock table signing_keys in access exclusive mode');
        const misses: Promise<unknown>[] = [];
        for (let i = 0; i < 30; i++) {
          misses.push(keys.verificationKey(`made-up-${i}`));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const { rows } = await admin.query<{ n: number }>(
          `select count(*)::int as n from pg_locks where relation = 'signing_keys'::regclass and not granted`,
        );
        await admin.query('commit');
        expect(await Promise.all(misses)).toEqual(Array(30).fill(null));
        return rows[0]!.n;
      });
      // 1.5 s of misses: the read due a second after the last one, and perhaps the one after it.
      expect(waitingReads).toBeGreaterThanOrEqual(1);
      expect(waitingReads).toBeLessThanOrEqual(2);
    },
  );
});
