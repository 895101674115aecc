import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClosingReason } from '../engine/progress.ts';
import { ApiError } from '../http/api-error.ts';
import type { Caller, SessionCaller } from '../http/operation.ts';
import type { Interview, InterviewStatus } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import { originAllowed } from './origin.ts';
import { type SessionClaims, verifySessionToken } from './session-token.ts';
import type { SigningKeys } from './signing-keys.ts';

/**
 * A widget's request: its token must verify, its interview must still be live (a token dies with its
 * interview), and the page it comes from must be one the interview may be embedded in.
 */
export async function authenticateSession(
  em: EntityManager,
  keys: SigningKeys,
  issuer: string,
  header: string | undefined,
  origin: string | undefined,
): Promise<{ caller: Caller; session: SessionCaller }> {
  const token = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '')?.[1];
  if (!token) {
    throw new ApiError(
      'invalid_session_token',
      'Send the session token as "Authorization: Bearer <token>".',
      {
        headers: { 'WWW-Authenticate': 'Bearer realm="viva-session"' },
      },
    );
  }
  const claims = await verifySessionToken(keys, token, issuer);
  const interview = await readLiveness(em, claims);
  const dead = { headers: { 'WWW-Authenticate': 'Bearer realm="viva-session", error="invalid_token"' } };
  const status = interview ? effectiveStatus(interview) : null;
  if (!interview || status === 'completed' || status === 'expired' || status === 'canceled') {
    // How it ended is said in the problem, so a widget that missed the end on its stream (offline at the
    // time) can show that it was completed rather than that the link is bad.
    const extensions =
      interview && status
        ? {
            interview_status: status,
            ...(status === 'completed' && interview.closingReason
              ? { completion_reason: interview.closingReason }
              : {}),
          }
        : {};
    throw new ApiError(
      'invalid_session_token',
      'This interview has ended; its session token no longer works.',
      {
        ...dead,
        extensions,
      },
    );
  }
  if (status === 'scheduled' && claims.startBy.getTime() < Date.now()) {
    throw new ApiError(
      'invalid_session_token',
      'The time to start with this link has passed; ask for a new one.',
      dead,
    );
  }
  // The platform's own join page is always a home for its interviews, whatever else the tenant allows.
  if (origin !== new URL(issuer).origin && !originAllowed(origin, claims.origins)) {
    throw new ApiError('origin_not_allowed', `This interview cannot be embedded on ${origin}.`);
  }
  return {
    caller: {
      tenantId: claims.tenantId,
      livemode: claims.livemode,
      keyId: `session:${claims.interviewId}`,
      scopes: [],
    },
    session: { interviewId: claims.interviewId },
  };
}

type Liveness = Pick<Interview, 'status' | 'expiresAt'> & { closingReason: ClosingReason | null };

/** The interview a session token opens, as the liveness read looks it up. */
export type SessionInterview = Pick<SessionClaims, 'interviewId' | 'tenantId' | 'livemode'>;

/**
 * Whether a session's interview has ended (or is gone), for an open event stream that has not been told: an
 * end whose announcement never reached the bus (Redis refusing writes while reads still work) would
 * otherwise leave the widget's stream open, and the widget waiting, for good.
 */
export async function sessionEnded(em: EntityManager, session: SessionInterview): Promise<boolean> {
  const interview = await readLiveness(em, session);
  const status = interview ? effectiveStatus(interview) : null;
  return status !== 'scheduled' && status !== 'in_progress';
}

/**
 * Whether the token's interview is still live, read on every widget request: a prepared statement on the
 * ORM's own pool, planned once per connection, as `readInterview` does for the API's most frequent read.
 */
async function readLiveness(em: EntityManager, claims: SessionInterview): Promise<Liveness | null> {
  const pool = await em.getConnection().getNativeClient();
  const { rows } = await pool.query<{
    status: InterviewStatus;
    expires_at: string;
    closing_reason: ClosingReason | null;
  }>({
    name: 'read-session-interview',
    text: `select status, expires_at, progress->>'closingReason' as closing_reason
           from interviews where id = $1 and tenant_id = $2 and livemode = $3`,
    values: [claims.interviewId, claims.tenantId, claims.livemode],
  });
  const [row] = rows;
  if (!row) return null;
  return {
    status: row.status,
    expiresAt: em.getPlatform().parseDate(row.expires_at) as Date,
    closingReason: row.closing_reason,
  };
}
