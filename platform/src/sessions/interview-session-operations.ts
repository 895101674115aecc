import { abandonGraceSeconds } from '../engine/sweeper.ts';
import { ApiError } from '../http/api-error.ts';
import { operation } from '../http/operation.ts';
import type { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus, getInterview } from '../interviews/interviews.ts';
import { jobOfInterview } from '../jobs/job-snapshot.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { mintSessionToken } from './session-token.ts';
import { maxSessionTtlSeconds } from './signing-keys.ts';

export const defaultSessionTtlSeconds = 15 * 60;

/**
 * The last moment the token opens the interview if it has not started: `ttl_seconds` from now, or the
 * interview's `expires_at` if that comes first (after it the interview reads as expired, and no token opens
 * it). In whole seconds, as the token's `start_by` claim holds it, so what the response says is exactly
 * what the token enforces. An interview already in progress is not held to it.
 */
function startDeadline(interview: Pick<Interview, 'status' | 'expiresAt'>, ttlSeconds: number): Date {
  const ttlEnd = Date.now() + ttlSeconds * 1000;
  const end =
    effectiveStatus(interview) === 'scheduled' ? Math.min(ttlEnd, interview.expiresAt.getTime()) : ttlEnd;
  return new Date(Math.floor(end / 1000) * 1000);
}

export const interviewSessionOperations = [
  operation(
    'createInterviewSession',
    { returnsCredential: true },
    async ({ em, caller, params, body, services }) => {
      const interview = await getInterview(em, caller, params.id);
      const status = effectiveStatus(interview);
      if (status !== 'scheduled' && status !== 'in_progress') {
        throw new ApiError(
          'invalid_state',
          `Interview ${interview.id} is ${status}: no session can be opened.`,
        );
      }
      const [tenant, job] = await Promise.all([
        em.findOneOrFail(Tenant, interview.tenantId),
        jobOfInterview(em, interview),
      ]);
      const startBy = startDeadline(interview, body?.ttl_seconds ?? defaultSessionTtlSeconds);
      // The token then lasts through the longest interview the job allows from that deadline, and the grace
      // after it in which a last answer is still taken and the interviewer closes, so a reconnect
      // mid-interview still works (capped at the longest a token may live).
      const toStart = Math.max(0, Math.ceil((startBy.getTime() - Date.now()) / 1000));
      const { token, expiresAt } = await mintSessionToken(
        services.signingKeys,
        {
          interviewId: interview.id,
          tenantId: interview.tenantId,
          livemode: interview.livemode,
          allowedOrigins: body?.allowed_origins ?? tenant.allowedOrigins,
          ttlSeconds: Math.min(
            maxSessionTtlSeconds,
            toStart + job.settings.max_duration_seconds + abandonGraceSeconds,
          ),
          startBy,
        },
        services.issuer,
      );
      return {
        status: 201,
        body: {
          object: 'interview_session' as const,
          interview_id: interview.id,
          livemode: interview.livemode,
          token,
          start_by: startBy.toISOString(),
          expires_at: expiresAt.toISOString(),
          // In the fragment, so the token never reaches a server's access log.
          join_url: `${services.issuer}/join#token=${token}`,
        },
      };
    },
  ),
];
