import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@viva/platform/src/config/config.ts';
import { type RunningPlatform, startPlatform } from '@viva/platform/src/platform.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Application, exampleApplication, inviteCandidate } from '../src/quickstart.ts';
import type { Transport } from '../src/retrying-fetch.ts';
import { VivaError, vivaClient } from '../src/viva-client.ts';

/** The example run the way its README says, with one command, against a real platform on the embedded default. */
const adminKey = 'example-admin-key-0123456789abcdef';
let platform: RunningPlatform;
let dataDir: string;
let testKey: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'viva-quickstart-'));
  platform = await startPlatform(
    loadConfig({ PORT: '0', VIVA_DATA_DIR: dataDir, VIVA_ADMIN_KEY: adminKey, LOG_LEVEL: 'silent' }),
  );
  const res = await fetch(`${platform.url}/admin/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Quickstart' }),
  });
  testKey = ((await res.json()) as { api_keys: { test: string } }).api_keys.test;
});
afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The example's application under ATS ids of its own, so each test starts with no key already used. */
function application(suffix: string): Application {
  return {
    requisition: { ...exampleApplication.requisition, id: `req-${suffix}` },
    candidate: { ...exampleApplication.candidate, id: `cand-${suffix}` },
  };
}

/** One request as the transport sent it, and what came back (null when the connection failed). */
interface Sent {
  route: string;
  idempotencyKey: string | null;
  status: number | null;
  replayed: string | null;
}

/** The real network, recording every attempt; `fault` may answer or fail an attempt in its place. */
function recordingTransport(
  sent: Sent[],
  fault: (route: string, attempt: number, send: () => Promise<Response>) => Promise<Response> | null = () =>
    null,
): Transport {
  return async (request) => {
    const route = `${request.method} ${new URL(request.url).pathname}`;
    const entry: Sent = {
      route,
      idempotencyKey: request.headers.get('idempotency-key'),
      status: null,
      replayed: null,
    };
    sent.push(entry);
    const attempt = sent.filter((s) => s.route === route).length;
    const response = await (fault(route, attempt, () => fetch(request)) ?? fetch(request));
    entry.status = response.status;
    entry.replayed = response.headers.get('idempotent-replayed');
    return response;
  };
}

function problem(status: number, code: string, retryAfter: string): Response {
  return Response.json(
    { status, code, detail: `a scripted ${code}` },
    { status, headers: { 'content-type': 'application/problem+json', 'retry-after': retryAfter } },
  );
}

async function list<T>(path: string): Promise<T[]> {
  const res = await fetch(`${platform.url}${path}`, { headers: { authorization: `Bearer ${testKey}` } });
  const text = await res.text();
  expect(res.status, `GET ${path}: ${text}`).toBe(200);
  return (JSON.parse(text) as { data: T[] }).data;
}

describe('rest-quickstart', () => {
  it('runs with one command and prints a join URL for a scheduled interview', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['src/quickstart.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, VIVA_URL: platform.url, VIVA_KEY: testKey },
    });
    const interviewId = /interview {2}(int_\w+)/.exec(stdout)?.[1];
    expect(stdout).toMatch(/join URL {3}http:\/\/127\.0\.0\.1:\d+\/join#token=/);
    const interview = await fetch(`${platform.url}/v1/interviews/${interviewId}`, {
      headers: { authorization: `Bearer ${testKey}` },
    });
    expect(await interview.json()).toMatchObject({ id: interviewId, status: 'scheduled' });
  });

  it('says what to set when the key is missing', async () => {
    const run = promisify(execFile)(process.execPath, ['src/quickstart.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, VIVA_URL: platform.url, VIVA_KEY: '' },
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Set VIVA_KEY') });
  });

  it('throws a VivaError carrying the code and request id when the API refuses', async () => {
    const error = await inviteCandidate(
      vivaClient(platform.url, 'sk_test_not-a-real-key'),
      application('refused'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VivaError);
    expect(error).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      requestId: expect.stringMatching(/^req_/),
    });
  });
});

describe('inviting twice', () => {
  it('makes one job, one candidate and one interview, and a fresh session each time', async () => {
    const sent: Sent[] = [];
    const client = vivaClient(platform.url, testKey, { fetch: recordingTransport(sent) });
    const first = await inviteCandidate(client, application('twice'));
    const second = await inviteCandidate(client, application('twice'));

    expect(second, JSON.stringify(sent)).toMatchObject({
      jobId: first.jobId,
      candidateId: first.candidateId,
      interviewId: first.interviewId,
    });
    expect(second.token).not.toBe(first.token);
    expect(sent.slice(4).map(({ route, status, replayed }) => ({ route, status, replayed }))).toEqual([
      { route: 'POST /v1/jobs', status: 201, replayed: 'true' },
      { route: 'POST /v1/candidates', status: 201, replayed: 'true' },
      { route: 'POST /v1/interviews', status: 201, replayed: 'true' },
      { route: `POST /v1/interviews/${first.interviewId}/sessions`, status: 201, replayed: null },
    ]);
    await expect(list('/v1/jobs?external_id=req-twice')).resolves.toHaveLength(1);
    await expect(list('/v1/candidates?external_id=cand-twice')).resolves.toHaveLength(1);
    await expect(list(`/v1/interviews?candidate_id=${first.candidateId}`)).resolves.toHaveLength(1);
  });

  it('picks up after a partial failure without duplicating what the first attempt made', async () => {
    const unreachable: Transport = async (request) => {
      if (new URL(request.url).pathname === '/v1/interviews') throw new TypeError('fetch failed');
      return fetch(request);
    };
    const failed = await inviteCandidate(
      vivaClient(platform.url, testKey, { fetch: unreachable, attempts: 1 }),
      application('partial'),
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TypeError);

    const invitation = await inviteCandidate(vivaClient(platform.url, testKey), application('partial'));
    const jobs = await list<{ id: string }>('/v1/jobs?external_id=req-partial');
    const candidates = await list<{ id: string }>('/v1/candidates?external_id=cand-partial');
    expect(jobs.map((j) => j.id)).toEqual([invitation.jobId]);
    expect(candidates.map((c) => c.id)).toEqual([invitation.candidateId]);
  });
});

describe('retries', () => {
  it('resends a POST whose response was lost with the same key, and gets the first result back', async () => {
    const sent: Sent[] = [];
    // The job is created, then the connection drops before the client reads the answer.
    const lostOnce = recordingTransport(sent, (route, attempt, send) =>
      route === 'POST /v1/jobs' && attempt === 1
        ? send().then(async (response) => {
            await response.body?.cancel();
            throw new TypeError('fetch failed');
          })
        : null,
    );
    const invitation = await inviteCandidate(
      vivaClient(platform.url, testKey, { fetch: lostOnce }),
      application('lost'),
    );

    const jobAttempts = sent.filter((s) => s.route === 'POST /v1/jobs');
    expect(jobAttempts, JSON.stringify(sent)).toHaveLength(2);
    expect(jobAttempts[1]).toMatchObject({ status: 201, replayed: 'true' });
    expect(jobAttempts[1]?.idempotencyKey).toBe(jobAttempts[0]?.idempotencyKey);
    const jobs = await list<{ id: string }>('/v1/jobs?external_id=req-lost');
    expect(jobs.map((j) => j.id)).toEqual([invitation.jobId]);
  });

  it('waits out 429, 5xx and 409 idempotency_key_in_use, honouring Retry-After, under one key', async () => {
    const sent: Sent[] = [];
    const scripted = [
      problem(429, 'rate_limited', '1'),
      problem(503, 'service_unavailable', '0'),
      problem(409, 'idempotency_key_in_use', '0'),
    ];
    const flaky = recordingTransport(sent, (route, attempt) => {
      const answer = route === 'POST /v1/jobs' ? scripted[attempt - 1] : undefined;
      return answer ? Promise.resolve(answer) : null;
    });
    const started = performance.now();
    const invitation = await inviteCandidate(
      vivaClient(platform.url, testKey, { fetch: flaky }),
      application('flaky'),
    );

    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    const jobAttempts = sent.filter((s) => s.route === 'POST /v1/jobs');
    expect(
      jobAttempts.map((s) => s.status),
      JSON.stringify(sent),
    ).toEqual([429, 503, 409, 201]);
    expect(new Set(jobAttempts.map((s) => s.idempotencyKey))).toEqual(new Set(['job:req-flaky']));
    await expect(list('/v1/jobs?external_id=req-flaky')).resolves.toEqual([
      expect.objectContaining({ id: invitation.jobId }),
    ]);
  });

  it('does not resend a final refusal', async () => {
    const sent: Sent[] = [];
    const refusing = recordingTransport(sent, (route) =>
      route === 'POST /v1/jobs' ? Promise.resolve(problem(409, 'invalid_state', '0')) : null,
    );
    const error = await inviteCandidate(
      vivaClient(platform.url, testKey, { fetch: refusing }),
      application('refusal'),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: 'invalid_state' });
    expect(sent).toHaveLength(1);
  });
});
