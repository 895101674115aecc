import { type CryptoKey, generateKeyPair, type JWTHeaderParameters, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/api-error.ts';
import { mintSessionToken, sessionAudience, verifySessionToken } from '../../src/sessions/session-token.ts';
import { SigningKeys } from '../../src/sessions/signing-keys.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

let test: TestPlatform;
let keys: SigningKeys;
const issuer = 'https://viva.example';
const grant = {
  interviewId: 'int_0000000000000000000000000a',
  tenantId: 'ten_0000000000000000000000000b',
  livemode: true,
  allowedOrigins: ['https://careers.acme.example', 'http://localhost:3000'],
  ttlSeconds: 600,
  startBy: new Date(Date.now() + 300_000),
};

beforeAll(async () => {
  test = await startTestPlatform();
  keys = new SigningKeys(test.platform.services.db.orm);
});
afterAll(async () => test?.stop());

/** Every rejection must look the same: 401, one code, one message that does not say what was wrong. */
async function expectRejected(token: string, expectedIssuer = issuer): Promise<void> {
  const error: unknown = await verifySessionToken(keys, token, expectedIssuer).catch((e: unknown) => e);
  expect(error, `accepted: ${JSON.stringify(error)}`).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({
    status: 401,
    code: 'invalid_session_token',
    message: 'The session token is invalid or expired.',
  });
}

function encode(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

/** The claims a genuine token carries, to alter one at a time. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: sessionAudience,
    sub: grant.interviewId,
    tid: grant.tenantId,
    mode: 'live',
    origins: grant.allowedOrigins,
    iat: now,
    exp: now + 60,
    jti: 'test-jti',
    ...overrides,
  };
}

function sign(key: CryptoKey | Uint8Array, header: JWTHeaderParameters, payload: JWTPayload) {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

/** Signs with the platform's own active key, so only the altered part can be why a token fails. */
async function signGenuinely(
  payload: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const { kid, privateKey } = await keys.activeKey();
  return sign(privateKey, { alg: 'EdDSA', kid, typ: 'JWT', ...header }, payload);
}

describe('minting and verifying', () => {
  it('round-trips every claim', async () => {
    const before = Date.now();
    const { token, expiresAt } = await mintSessionToken(keys, grant, issuer);
    const [header, payload] = token.split('.');
    const { kid } = await keys.activeKey();
    expect(decode(header)).toEqual({ alg: 'EdDSA', kid, typ: 'JWT' });
    expect(kid).toMatch(/^sig_[0-9a-z]{26}$/);
    const body = decode(payload);
    expect(body).toMatchObject({
      iss: issuer,
      aud: 'viva-session',
      sub: grant.interviewId,
      tid: grant.tenantId,
    });
    expect(body).toMatchObject({ mode: 'live', origins: grant.allowedOrigins });
    expect(body.exp).toBe((body.iat as number) + grant.ttlSeconds);
    expect(expiresAt.getTime()).toBe((body.exp as number) * 1000);
    expect(expiresAt.getTime()).toBeGreaterThan(before + (grant.ttlSeconds - 2) * 1000);

    const verified = await verifySessionToken(keys, token, issuer);
    expect(verified).toEqual({
      interviewId: grant.interviewId,
      tenantId: grant.tenantId,
      livemode: true,
      origins: grant.allowedOrigins,
      expiresAt,
      startBy: new Date(Math.floor(grant.startBy.getTime() / 1000) * 1000),
      jti: body.jti,
    });
    expect(body.start_by).toBe(Math.floor(grant.startBy.getTime() / 1000));
    expect(verified.jti).toMatch(/^[\w-]{22}$/);
  });

  it('says test mode for a test interview and gives each token its own jti', async () => {
    const one = await mintSessionToken(keys, { ...grant, livemode: false, allowedOrigins: [] }, issuer);
    const two = await mintSessionToken(keys, { ...grant, livemode: false, allowedOrigins: [] }, issuer);
    const first = await verifySessionToken(keys, one.token, issuer);
    expect(first).toMatchObject({ livemode: false, origins: [] });
    expect((await verifySessionToken(keys, two.token, issuer)).jti).not.toBe(first.jti);
  });

  it('refuses lifetimes outside 1 second to 24 hours', async () => {
    for (const ttlSeconds of [0, -5, 1.5, 86_401]) {
      await expect(mintSessionToken(keys, { ...grant, ttlSeconds }, issuer)).rejects.toThrow(RangeError);
    }
  });

  it('accepts a hand-signed token with the genuine key and claims (the control for the cases below)', async () => {
    await expect(verifySessionToken(keys, await signGenuinely(claims()), issuer)).resolves.toMatchObject({
      interviewId: grant.interviewId,
    });
  });
});

describe('rejecting tokens', () => {
  it('rejects a tampered payload', async () => {
    const { token } = await mintSessionToken(keys, grant, issuer);
    const [header, payload, signature] = token.split('.');
    const forged = encode({ ...decode(payload), sub: 'int_someoneelse000000000000000' });
    await expectRejected(`${header}.${forged}.${signature}`);
  });

  it('rejects a tampered signature', async () => {
    const { token } = await mintSessionToken(keys, grant, issuer);
    const [header, payload, signature = ''] = token.split('.');
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    await expectRejected(`${header}.${payload}.${flipped}`);
  });

  it('rejects an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    await expectRejected(await signGenuinely(claims({ iat: past - 60, exp: past })));
  });

  it('rejects a token for another audience or from another issuer', async () => {
    await expectRejected(await signGenuinely(claims({ aud: 'some-other-api' })));
    const { token } = await mintSessionToken(keys, grant, 'https://elsewhere.example');
    await expectRejected(token);
    await expectRejected((await mintSessionToken(keys, grant, issuer)).token, 'https://elsewhere.example');
  });

  it('rejects tokens missing a required claim or with a claim of the wrong shape', async () => {
    await expectRejected(await signGenuinely(claims({ exp: undefined })));
    await expectRejected(await signGenuinely(claims({ jti: undefined })));
    await expectRejected(await signGenuinely(claims({ mode: 'admin' })));
    await expectRejected(await signGenuinely(claims({ origins: 'https://careers.acme.example' })));
    await expectRejected(await signGenuinely(claims(), { typ: 'at+jwt' }));
  });

  it('rejects an unsigned alg=none token, with or without a signature left on', async () => {
    const { kid } = await keys.activeKey();
    const unsigned = `${encode({ alg: 'none', typ: 'JWT', kid })}.${encode(claims())}`;
    await expectRejected(`${unsigned}.`);
    const { token } = await mintSessionToken(keys, grant, issuer);
    await expectRejected(`${unsigned}.${token.split('.')[2]}`);
  });

  it('rejects a token signed by another Ed25519 key that claims our kid', async () => {
    const { kid } = await keys.activeKey();
    const impostor = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    await expectRejected(await sign(impostor.privateKey, { alg: 'EdDSA', kid, typ: 'JWT' }, claims()));
  });

  it('rejects HS256 keyed with our public key (algorithm confusion)', async () => {
    const { keys: published } = await keys.jwks();
    const { kid } = await keys.activeKey();
    const jwk = published.find((key) => key.kid === kid);
    expect(jwk).toBeDefined();
    const secrets = [Buffer.from(jwk?.x ?? '', 'base64url'), Buffer.from(JSON.stringify(jwk))];
    for (const secret of secrets) {
      await expectRejected(await sign(secret, { alg: 'HS256', kid, typ: 'JWT' }, claims()));
    }
  });

  it('rejects an unknown or missing kid', async () => {
    await expectRejected(await signGenuinely(claims(), { kid: 'sig_0000000000000000000000000z' }));
    await expectRejected(await signGenuinely(claims(), { kid: undefined }));
  });

  it('rejects what is not a JWT at all', async () => {
    for (const garbage of ['', 'not-a-token', 'a.b.c', `${encode({ alg: 'EdDSA' })}..`]) {
      await expectRejected(garbage);
    }
  });
});
