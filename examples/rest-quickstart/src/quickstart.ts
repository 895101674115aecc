import { randomUUID } from 'node:crypto';
import type { components } from '@viva/openapi/types';
import { must, type VivaClient, vivaClient } from './viva-client.ts';

/**
 * What an ATS does on its server when a recruiter invites a candidate to a screening interview: it creates
 * the job, the candidate and the interview, mints a session, and e-mails the candidate the join URL.
 *
 * Run with VIVA_URL (default http://127.0.0.1:4000) and VIVA_KEY (a secret key with `jobs:write`,
 * `candidates:write` and `interviews:write`; `pnpm start` of the platform prints its demo test key).
 */

/** A candidate's application as the ATS keeps it: its own records, under its own ids. */
export interface Application {
  /** The opening the candidate applied to, and the interview plan for its role. */
  requisition: { id: string; job: Omit<components['schemas']['CreateJobRequest'], 'external_id'> };
  candidate: { id: string; name: string; email: string };
}

export interface Invitation {
  jobId: string;
  candidateId: string;
  interviewId: string;
  joinUrl: string;
  token: string;
}

/**
 * Each create call's Idempotency-Key names the ATS records it stands for, so inviting again (after a
 * partial failure, or a recruiter's second click) within Viva's 24 hours returns the job, candidate and
 * interview made the first time instead of making new ones. Keys are per tenant and mode; the prefix keeps
 * one operation's keys from meeting another's.
 */
function keyFor(operation: string, ...atsIds: string[]): string {
  return [operation, ...atsIds.map(encodeURIComponent)].join(':');
}

export async function inviteCandidate(client: VivaClient, application: Application): Promise<Invitation> {
  const { requisition, candidate: applicant } = application;
  const job = must(
    await client.POST('/v1/jobs', {
      params: { header: { 'Idempotency-Key': keyFor('job', requisition.id) } },
      body: { ...requisition.job, external_id: requisition.id },
    }),
  );
  const candidate = must(
    await client.POST('/v1/candidates', {
      params: { header: { 'Idempotency-Key': keyFor('candidate', applicant.id) } },
      body: { name: applicant.name, email: applicant.email, external_id: applicant.id },
    }),
  );
  const interview = must(
    await client.POST('/v1/interviews', {
      params: { header: { 'Idempotency-Key': keyFor('interview', requisition.id, applicant.id) } },
      body: { job_id: job.id, candidate_id: candidate.id },
    }),
  );
  const session = must(
    await client.POST('/v1/interviews/{id}/sessions', {
      params: {
        path: { id: interview.id },
        // A new key per invitation, kept across this call's retries: a session token is a credential, not a
        // record, and an invitation sent again should carry a link good for another full day.
        header: { 'Idempotency-Key': randomUUID() },
      },
      // An e-mailed invitation is opened later than an embedded page: give the candidate a day to start.
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

/** The application `main` invites. In an ATS, the recruiter's click names one. */
export const exampleApplication: Application = {
  requisition: {
    id: 'req-4821',
    job: {
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
    },
  },
  candidate: { id: 'cand-77', name: 'Grace Hopper', email: 'grace@example.com' },
};

async function main(): Promise<void> {
  const baseUrl = process.env.VIVA_URL ?? 'http://127.0.0.1:4000';
  const apiKey = process.env.VIVA_KEY;
  if (!apiKey) {
    process.stderr.write(
      'Set VIVA_KEY to a secret key (pnpm start of the platform prints its demo test key).\n',
    );
    process.exitCode = 2;
    return;
  }
  const invitation = await inviteCandidate(vivaClient(baseUrl, apiKey), exampleApplication);
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
