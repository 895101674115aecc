import { abandonGraceSeconds } from '../engine/sweeper.ts';
import { ApiError } from '../http/api-error.ts';
import { operation } from '../http/operation.ts';
import { effectiveStatus, getInterview } from '../interviews/interviews.ts';
import { jobOfInterview } from '../jobs/job-snapshot.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { mintSessionToken } from './session-token.ts';
import { maxSessionTtlSeconds } from './signing-keys.ts';

export const defaultSessionTtlSeconds = 15 * 60;

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
      // The TTL is the time the candidate has to start; the token then lasts through the longest interview the
      // job allows, and the grace after it in which a last answer is still taken and the interviewer closes,
      // so a reconnect mid-interview still works (capped at the longest a token may live).
      const toStart = body?.ttl_seconds ?? defaultSessionTtlSeconds;
      const startBy = new Date(Date.now() + toStart * 1000);
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
          expires_at: expiresAt.toISOString(),
          // In the fragment, so the token never reaches a server's access log.
          join_url: `${services.issuer}/join#token=${token}`,
        },
      };
    },
  ),
];
