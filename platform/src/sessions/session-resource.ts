import type { EntityManager } from '@mikro-orm/postgresql';
import type { SuccessBody } from '../http/operation.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import { jobOfInterview } from '../jobs/job-snapshot.ts';
import type { Providers } from '../providers/providers.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { acceptedAudioTypes, maxAnswerBytes, maxAnswerSeconds } from './audio-answer.ts';
import { consentText } from './consent-text.ts';

export type SessionResource = SuccessBody<'getSession'>;

/** What the widget may show: never the rubric, never another interview, never anything secret. */
export async function sessionResource(
  em: EntityManager,
  interviewId: string,
  providers: Providers,
  /** Whether the platform has a LiveKit server (`POST /v1/session/livekit`). */
  liveKit = false,
): Promise<SessionResource> {
  const interview = await em.findOneOrFail(Interview, interviewId);
  const [job, tenant] = await Promise.all([
    jobOfInterview(em, interview),
    em.findOneOrFail(Tenant, interview.tenantId),
  ]);
  // Test mode is always offline: it takes text answers, as the offline interviewer has no ears.
  const audio = interview.livemode && providers.speechToText !== null;
  return {
    object: 'session',
    interview_id: interview.id,
    livemode: interview.livemode,
    status: effectiveStatus(interview),
    job: { title: job.title },
    company: { name: tenant.name, logo_url: tenant.logoUrl ?? null },
    interviewer: { name: job.settings.interviewer_name },
    language: job.language,
    question_count: job.questions.length,
    max_duration_seconds: job.settings.max_duration_seconds,
    consent_text: consentText(job.language),
    // A room is for voice: a text-only interview is not offered one it could not use.
    transports: liveKit && audio ? ['http', 'livekit'] : ['http'],
    answer_modes: audio ? ['text', 'audio'] : ['text'],
    audio: {
      accepted_types: [...acceptedAudioTypes],
      max_bytes: maxAnswerBytes,
      max_seconds: maxAnswerSeconds,
    },
  } as SessionResource;
}
