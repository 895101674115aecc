import type { ApiClient } from './api.ts';

export const jobInput = {
  title: 'Senior Backend Engineer',
  description: 'Payments platform team.',
  questions: [{ text: 'Tell me about a system you designed.' }, { text: 'How do you handle an outage?' }],
  rubric: {
    dimensions: [
      { key: 'system_design', name: 'System design', weight: 2 },
      { key: 'communication', name: 'Communication', weight: 1 },
    ],
  },
};

async function created(api: ApiClient, key: string, path: string, body: unknown): Promise<string> {
  const res = await api.call<{ id: string }>('POST', path, { key, body });
  if (res.status !== 201) throw new Error(`POST ${path} failed: ${res.status} ${res.text}`);
  return res.body.id;
}

export const createJob = (api: ApiClient, key: string, body: unknown = jobInput) =>
  created(api, key, '/v1/jobs', body);
export const createCandidate = (
  api: ApiClient,
  key: string,
  body: unknown = { name: 'Ada Lovelace', email: 'ada@example.com' },
) => created(api, key, '/v1/candidates', body);

/** A job, a candidate and an interview between them. */
export async function createInterview(
  api: ApiClient,
  key: string,
): Promise<{ jobId: string; candidateId: string; interviewId: string }> {
  const jobId = await createJob(api, key);
  const candidateId = await createCandidate(api, key);
  const interviewId = await created(api, key, '/v1/interviews', { job_id: jobId, candidate_id: candidateId });
  return { jobId, candidateId, interviewId };
}
