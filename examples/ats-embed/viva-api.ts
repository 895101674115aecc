import type { components } from '@viva/openapi/types';

/**
 * The four Viva REST calls this ATS makes, with its secret key. They run on the ATS's server only: the
 * candidate's browser gets a session token, never the key. The types come from Viva's OpenAPI spec; outside
 * this repository, generate them from your platform's (`npx openapi-typescript
 * https://your-viva.example/openapi.json -o viva-types.ts`) and import `components` from there.
 */

type Schemas = components['schemas'];
export type JobInput = Schemas['CreateJobRequest'];
export type CandidateInput = Schemas['CreateCandidateRequest'];
export type InterviewSession = Schemas['InterviewSession'];

/** Viva refused a call; `code` is Viva's stable error code, `requestId` what to quote to Viva's support. */
export class VivaApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;

  /** `detail` is English for developers: log it, never show it to a candidate. */
  constructor(status: number, code: string, detail: string, requestId: string | null) {
    super(detail);
    this.name = 'VivaApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

/** A candidate is waiting on the page: a few quick attempts, then the ATS says it could not open the interview. */
const attempts = 3;
const maxWaitMs = 5_000;

/**
 * Every call takes an `Idempotency-Key` naming the operation it performs, and a request that gets no final
 * answer (the connection failed; 429, 5xx, or the same key still running elsewhere) is sent again with it:
 * Viva then answers with the first result instead of creating anything twice.
 */
export function vivaApi(apiBase: string, apiKey: string) {
  const base = apiBase.replace(/\/+$/, '');

  async function post<T>(path: string, body: object, idempotencyKey: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const last = attempt === attempts;
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify(body),
        });
      } catch (error) {
        // fetch rejects with a TypeError when the connection fails or drops mid-answer.
        if (last || !(error instanceof TypeError)) throw error;
        await sleep(250 * attempt);
        continue;
      }
      const json: unknown = await res.json().catch(() => null);
      if (res.ok) return json as T;
      // Errors are application/problem+json: `code` to branch on, `detail` to log.
      const problem = isProblem(json) ? json : { code: 'unknown', detail: `${path} answered ${res.status}` };
      const transient = res.status === 429 || res.status >= 500 || problem.code === 'idempotency_key_in_use';
      const wait = Number(res.headers.get('retry-after') ?? attempt / 4) * 1000;
      if (!last && transient && wait <= maxWaitMs) {
        await sleep(wait);
        continue;
      }
      throw new VivaApiError(res.status, problem.code, problem.detail, res.headers.get('x-request-id'));
    }
  }

  return {
    /** `key` names the job in the ATS, e.g. its requisition: the same key gives back the same job. */
    createJob: (job: JobInput, key: string) => post<Schemas['Job']>('/v1/jobs', job, key),
    /** `key` names the candidate in the ATS: the same key gives back the same candidate. */
    createCandidate: (candidate: CandidateInput, key: string) =>
      post<Schemas['Candidate']>('/v1/candidates', candidate, key),
    /** `key` names the application the interview is for: the same key gives back the same interview. */
    scheduleInterview: (jobId: string, candidateId: string, key: string) =>
      post<Schemas['Interview']>(
        '/v1/interviews',
        { job_id: jobId, candidate_id: candidateId } satisfies Schemas['CreateInterviewRequest'],
        key,
      ),
    /**
     * A short-lived token for one interview, usable only from pages on `allowedOrigins`. The candidate is on
     * the page already: 15 minutes to press Start is plenty. `key` names this page load.
     */
    mintSession: (interviewId: string, allowedOrigins: string[], key: string) =>
      post<InterviewSession>(
        `/v1/interviews/${encodeURIComponent(interviewId)}/sessions`,
        {
          ttl_seconds: 15 * 60,
          allowed_origins: allowedOrigins,
        } satisfies Schemas['CreateInterviewSessionRequest'],
        key,
      ),
  };
}

export type VivaApi = ReturnType<typeof vivaApi>;

function isProblem(body: unknown): body is { code: string; detail: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    'code' in body &&
    typeof body.code === 'string' &&
    'detail' in body &&
    typeof body.detail === 'string'
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
