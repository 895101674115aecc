import { randomBytes } from 'node:crypto';
import { type CryptoKey, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { ApiError } from '../http/api-error.ts';
import { maxSessionTtlSeconds, type SigningKeys, signingAlgorithm } from './signing-keys.ts';

/** Session tokens are for the session API only: another service that trusts our JWKS must not accept them. */
export const sessionAudience = 'viva-session';

/** What an integrator's secret key grants a candidate's browser when it mints a session. */
export interface SessionGrant {
  interviewId: string;
  tenantId: string;
  livemode: boolean;
  /** Origins whose pages may use the token; empty means any. */
  allowedOrigins: string[];
  ttlSeconds: number;
  /** The interview must start before this; the token then lives on (to its exp) for the interview itself. */
  startBy: Date;
}

/** A verified token's claims, in the platform's words. */
export interface SessionClaims {
  interviewId: string;
  tenantId: string;
  livemode: boolean;
  origins: string[];
  expiresAt: Date;
  startBy: Date;
  jti: string;
}

/** Signs a short-lived token bound to one interview, its tenant and mode, and the pages that may embed it. */
export async function mintSessionToken(
  keys: SigningKeys,
  grant: SessionGrant,
  issuer: string,
): Promise<{ token: string; expiresAt: Date }> {
  const { ttlSeconds } = grant;
  // The spec bounds the TTL already; this guards callers that skip it, since key retirement relies on it.
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxSessionTtlSeconds) {
    throw new RangeError(`A session token lives 1 to ${maxSessionTtlSeconds} seconds, not ${ttlSeconds}`);
  }
  const { kid, privateKey } = await keys.activeKey();
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({
    tid: grant.tenantId,
    mode: grant.livemode ? 'live' : 'test',
    origins: grant.allowedOrigins,
    start_by: Math.floor(grant.startBy.getTime() / 1000),
  })
    .setProtectedHeader({ alg: signingAlgorithm, kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(sessionAudience)
    .setSubject(grant.interviewId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/**
 * Checks signature, algorithm, issuer, audience and expiry. Every failure reads the same to the caller:
 * saying "expired" rather than "bad signature" would only help someone forging tokens.
 */
export async function verifySessionToken(
  keys: SigningKeys,
  token: string,
  issuer: string,
): Promise<SessionClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header) => keyFor(keys, header.kid), {
      // Pinned, so neither `none` nor an HMAC keyed with our public key can pass for a signature.
      algorithms: [signingAlgorithm],
      issuer,
      audience: sessionAudience,
      typ: 'JWT',
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
    }));
  } catch (error) {
    // Only token faults become a 401; a database outage while loading keys stays a 5xx.
    if (error instanceof errors.JOSEError) throw invalidToken();
    throw error;
  }
  return claimsOf(payload);
}

async function keyFor(keys: SigningKeys, kid: string | undefined): Promise<CryptoKey> {
  const key = kid ? await keys.verificationKey(kid) : null;
  if (!key) throw new errors.JWKSNoMatchingKey();
  return key;
}

function claimsOf(payload: JWTPayload): SessionClaims {
  const { sub, tid, mode, origins, exp, jti, start_by: startBy } = payload;
  if (
    typeof sub !== 'string' ||
    typeof tid !== 'string' ||
    (mode !== 'test' && mode !== 'live') ||
    !Array.isArray(origins) ||
    !origins.every((origin) => typeof origin === 'string') ||
    typeof exp !== 'number' ||
    (startBy !== undefined && typeof startBy !== 'number') ||
    typeof jti !== 'string'
  ) {
    throw invalidToken();
  }
  return {
    interviewId: sub,
    tenantId: tid,
    livemode: mode === 'live',
    origins,
    expiresAt: new Date(exp * 1000),
    // A token without a start deadline may start any time before it expires.
    startBy: new Date((typeof startBy === 'number' ? startBy : exp) * 1000),
    jti,
  };
}

function invalidToken(): ApiError {
  return new ApiError('invalid_session_token', 'The session token is invalid or expired.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="viva-session", error="invalid_token"' },
  });
}
