/**
 * The four Viva REST calls this ATS makes, with its secret key. They run on the ATS's server only: the
 * candidate's browser gets a session token, never the key.
 */

/** Viva refused a call; `code` is Viva's stable error code, `requestId` what to quote to Viva's support. */
export class VivaApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;

  constructor(status: number, code: string, detail: string, requestId: string | null) {
    super(detail);
    this.name = 'VivaApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

export interface JobInput {
  title: string;
  description?: string;
  questions: { text: string; guidance?: string }[];
  rubric?: { dimensions: { key: string; name: string; description?: string; weight: number }[] };
  external_id?: string;
}

export interface CandidateInput {
  name: string;
  email?: string;
  external_id?: string;
}

export interface InterviewSession {
  interview_id: string;
  token: string;
  expires_at: string;
  join_url: string;
}

export function vivaApi(apiBase: string, apiKey: string) {
  const base = apiBase.replace(/\/+$/, '');

  async function post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok) {
      // Errors are application/problem+json: `code` to branch on, `detail` to read.
      throw new VivaApiError(
        res.status,
        typeof json?.code === 'string' ? json.code : 'unknown',
        typeof json?.detail === 'string' ? json.detail : `${path} answered ${res.status}`,
        res.headers.get('x-request-id'),
      );
    }
    return json as T;
  }

  return {
    createJob: (job: JobInput) => post<{ id: string }>('/v1/jobs', job),
    createCandidate: (candidate: CandidateInput) => post<{ id: string }>('/v1/candidates', candidate),
    scheduleInterview: (jobId: string, candidateId: string) =>
      post<{ id: string }>('/v1/interviews', { job_id: jobId, candidate_id: candidateId }),
    /** A short-lived token for one interview, usable only from pages on `allowedOrigins`. */
    mintSession: (interviewId: string, allowedOrigins: string[]) =>
      post<InterviewSession>(`/v1/interviews/${encodeURIComponent(interviewId)}/sessions`, {
        allowed_origins: allowedOrigins,
      }),
  };
}

export type VivaApi = ReturnType<typeof vivaApi>;
