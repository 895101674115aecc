import type { ApiClient } from './api.ts';
import { createCandidate, createJob } from './fixtures.ts';

export interface OpenSession {
  interviewId: string;
  token: string;
  joinUrl: string;
}

/** A scheduled interview and a session token for it, the way an ATS would mint one. */
export async function openSession(
  api: ApiClient,
  key: string,
  job?: unknown,
  sessionBody?: unknown,
): Promise<OpenSession> {
  const jobId = await createJob(api, key, job);
  const candidateId = await createCandidate(api, key);
  const interview = await api.call<{ id: string }>('POST', '/v1/interviews', {
    key,
    body: { job_id: jobId, candidate_id: candidateId },
  });
  const session = await api.call<{ token: string; join_url: string }>(
    'POST',
    `/v1/interviews/${interview.body.id}/sessions`,
    {
      key,
      body: sessionBody ?? {},
    },
  );
  if (session.status !== 201) throw new Error(`session creation failed: ${session.status} ${session.text}`);
  return { interviewId: interview.body.id, token: session.body.token, joinUrl: session.body.join_url };
}
