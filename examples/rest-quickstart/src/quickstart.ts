import { randomUUID } from 'node:crypto';
import type { components, paths } from '@viva/openapi/types';
import createClient, { type Middleware } from 'openapi-fetch';

/**
 * The REST API from TypeScript, typed end to end: every path, body and response below is checked against
 * Viva's OpenAPI spec. `paths` comes from openapi-typescript; outside this repository, generate it from
 * your platform's spec:
 *
 *   npx openapi-typescript https://your-viva.example/openapi.json -o src/viva-api.ts
 *
 * Run with VIVA_URL (default http://127.0.0.1:4000) and VIVA_API_KEY (a secret key with `jobs:write`,
 * `candidates:write` and `interviews:write`; `pnpm start` of the platform prints its demo test key).
 */

type Problem = components['schemas']['Problem'];

/** A failed call, with everything support needs: the stable `code`, the detail and the request id. */
export class VivaError extends Error {
  override name = 'VivaError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;

  constructor(status: number, problem: Problem, requestId: string | null) {
    super(`${status} ${problem.code}: ${problem.detail}${requestId ? ` (request ${requestId})` : ''}`);
    this.status = status;
    this.code = problem.code;
    this.requestId = requestId;
  }
}

export function vivaClient(baseUrl: string, apiKey: string) {
  const client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` } });
  // Every POST carries an Idempotency-Key, so a request retried after a network failure creates nothing twice.
  const idempotency: Middleware = {
    onRequest({ request }) {
      if (request.method === 'POST' && !request.headers.has('idempotency-key')) {
        request.headers.set('idempotency-key', randomUUID());
      }
      return request;
    },
  };
  client.use(idempotency);
  return client;
}

type Client = ReturnType<typeof vivaClient>;

/** openapi-fetch returns `{ data, error, response }`; this turns an error into a thrown `VivaError`. */
function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined) return result.data;
  throw new VivaError(
    result.response.status,
    result.error as Problem,
    result.response.headers.get('x-request-id'),
  );
}

export interface Invitation {
  jobId: string;
  candidateId: string;
  interviewId: string;
  joinUrl: string;
  token: string;
}

/** What an ATS does when a recruiter invites a candidate: the job, the candidate, the interview, a session. */
export async function inviteCandidate(client: Client): Promise<Invitation> {
  const job = must(
    await client.POST('/v1/jobs', {
      body: {
        title: 'Senior Backend Engineer',
        description: 'Payments platform team.',
        questions: [
          {
            text: 'Tell me about a production incident you led.',
            guidance: 'Look for ownership and a concrete fix.',
          },
          { text: 'How would you design an idempotent payment-capture endpoint?' },
        ],
        rubric: {
          dimensions: [
            {
              key: 'incidents',
              name: 'Incident handling',
              description: 'Owns incidents end to end.',
              weight: 1,
            },
            { key: 'design', name: 'API design', description: 'Designs safe, retryable APIs.', weight: 2 },
          ],
        },
        external_id: 'req-4821',
      },
    }),
  );
  const candidate = must(
    await client.POST('/v1/candidates', {
      body: { name: 'Grace Hopper', email: 'grace@example.com', external_id: 'cand-77' },
    }),
  );
  const interview = must(
    await client.POST('/v1/interviews', { body: { job_id: job.id, candidate_id: candidate.id } }),
  );
  const session = must(
    // An e-mailed invitation is opened later than an embedded page: give the candidate a day to start.
    await client.POST('/v1/interviews/{id}/sessions', {
      params: { path: { id: interview.id } },
      body: { ttl_seconds: 24 * 60 * 60 },
    }),
  );
  return {
    jobId: job.id,
    candidateId: candidate.id,
    interviewId: interview.id,
    joinUrl: session.join_url,
    token: session.token,
  };
}

async function main(): Promise<void> {
  const baseUrl = process.env.VIVA_URL ?? 'http://127.0.0.1:4000';
  const apiKey = process.env.VIVA_API_KEY;
  if (!apiKey) {
    process.stderr.write(
      'Set VIVA_API_KEY to a secret key (pnpm start of the platform prints its demo test key).\n',
    );
    process.exitCode = 2;
    return;
  }
  const invitation = await inviteCandidate(vivaClient(baseUrl, apiKey));
  process.stdout.write(
    [
      `job        ${invitation.jobId}`,
      `candidate  ${invitation.candidateId}`,
      `interview  ${invitation.interviewId}`,
      `join URL   ${invitation.joinUrl}`,
      '',
    ].join('\n'),
  );
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
