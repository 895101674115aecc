import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type JobInput, type VivaApi, VivaApiError, vivaApi } from './viva-api.ts';

/**
 * An ATS's server, as small as it gets: it serves the candidate's page, and when that page asks, it schedules
 * an interview (or takes the one named) and mints a session token for it with the secret key it keeps.
 */
export interface AtsOptions {
  /** A Viva secret key (`sk_test_…` or `sk_live_…`). It stays on this server. */
  apiKey: string;
  /** Where Viva runs, e.g. `http://127.0.0.1:4000`. */
  apiBase: string;
  /** The widget's script-tag build. Default: the copy Viva serves, `{apiBase}/sdk/ai-interview.js`. */
  sdkUrl?: string;
  /**
   * The origin candidates open this page on, e.g. `https://careers.acme.example`: session tokens work only
   * from pages there. Default: the origin this server was reached at (its `Host`), fine on your laptop.
   */
  publicOrigin?: string;
}

/** The job interviews are scheduled for when the page names none. A real ATS has its own. */
export const exampleJob: JobInput = {
  title: 'Customer Support Specialist',
  description: 'Help our customers by e-mail and chat, and turn their feedback into product improvements.',
  questions: [
    { text: 'Tell me about a time you turned an unhappy customer around.' },
    { text: 'How do you keep track of many open requests at once?' },
  ],
  rubric: {
    dimensions: [
      { key: 'empathy', name: 'Empathy', description: 'Understands the customer and says so.', weight: 2 },
      { key: 'organisation', name: 'Organisation', description: 'Keeps many requests moving.', weight: 1 },
    ],
  },
  external_id: 'ats-embed-example',
};

/**
 * The example job's Idempotency-Key names it and its text: restarting this server within Viva's 24 hours
 * gets the same job back, and an edited `exampleJob` makes a new job instead of being refused as a
 * different request under a used key (`422 idempotency_key_reused`).
 */
const exampleJobDigest = createHash('sha256').update(JSON.stringify(exampleJob)).digest('base64url');
const exampleJobKey = `job:${exampleJob.external_id}:${exampleJobDigest.slice(0, 16)}`;

const page = readFileSync(new URL('./index.html', import.meta.url), 'utf8');
const interviewIdPattern = /^int_[A-Za-z0-9]{1,64}$/;

export function createAtsServer(options: AtsOptions): Server {
  const api = vivaApi(options.apiBase, options.apiKey);
  const apiBase = options.apiBase.replace(/\/+$/, '');
  const html = page
    .replaceAll('{{VIVA_SDK_URL}}', escapeHtml(options.sdkUrl ?? `${apiBase}/sdk/ai-interview.js`))
    .replaceAll('{{VIVA_URL}}', escapeHtml(apiBase));
  let job: Promise<string> | null = null;

  function exampleJobId(): Promise<string> {
    job ??= api.createJob(exampleJob, exampleJobKey).then(
      (created) => created.id,
      (error: unknown) => {
        job = null;
        throw error;
      },
    );
    return job;
  }

  async function interviewSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const requested = body?.interview_id;
    if (!body || (requested !== undefined && !interviewIdPattern.test(String(requested)))) {
      return send(res, 400, {
        error: { code: 'invalid_request', message: 'Send {} or {"interview_id": "int_…"}.' },
      });
    }
    // A real ATS looks the interview up from the signed-in candidate's application. This example takes the
    // id the page names (so you can point it at an interview you scheduled), or schedules a new one.
    const interviewId =
      (requested as string | undefined) ?? (await scheduleInterview(api, await exampleJobId()));
    const origin = options.publicOrigin ?? `http://${req.headers.host}`;
    // One key per page load, kept across this call's retries: each visit should get a token of its own.
    const session = await api.mintSession(interviewId, [origin], randomUUID());
    // Only the token goes to the browser: it opens this one interview, from this origin, for a short while.
    send(res, 200, { session_token: session.token });
  }

  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://ats').pathname;
    const route = `${req.method} ${path}`;
    const handled =
      route === 'GET /'
        ? Promise.resolve(sendPage(res, html))
        : route === 'POST /api/interview-session'
          ? interviewSession(req, res)
          : Promise.resolve(send(res, 404, { error: { code: 'not_found', message: `No ${route}.` } }));
    handled.catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      const { status, code, message } = candidateFacing(error);
      send(res, status, { error: { code, message } });
    });
  });
}

/**
 * What the candidate's page is told when the interview cannot be opened: the code, and the ATS's own words.
 * Viva's `detail` is English for developers and may name ids and states the candidate has no use for, so it
 * goes to this server's log, beside the reference the candidate can quote.
 */
function candidateFacing(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof VivaApiError && (error.status === 404 || error.code === 'invalid_state')) {
    // A missing or finished interview is the candidate's news, not a fault.
    console.warn(`Viva refused: ${error.status} ${error.code} ${error.message} (${error.requestId})`);
    return { status: error.status, code: error.code, message: 'This interview link is no longer available.' };
  }
  const reference =
    error instanceof VivaApiError && error.requestId ? error.requestId : `ats_${randomUUID()}`;
  if (error instanceof VivaApiError) {
    console.error(`Viva refused: ${error.status} ${error.code} ${error.message} (${reference})`);
  } else {
    console.error(`Could not open an interview (${reference}):`, error);
  }
  return {
    status: error instanceof VivaApiError ? 502 : 500,
    code: error instanceof VivaApiError ? error.code : 'internal_error',
    message: `We could not open your interview just now. Please try again in a few minutes; if it keeps happening, contact us and quote ${reference}.`,
  };
}

async function scheduleInterview(api: VivaApi, jobId: string): Promise<string> {
  // A real ATS has the candidate's application here, and keys made from its id give a request repeated for
  // that application (a retry, a double submit) the candidate and interview made the first time. This
  // example has no applications: each visit makes one up.
  const application = `app_${randomUUID()}`;
  // The applicant, as the ATS knows them. Viva keeps only what the interview needs.
  const candidate = await api.createCandidate(
    { name: 'Ada Lovelace', email: 'ada@example.com', external_id: application },
    `candidate:${application}`,
  );
  const interview = await api.scheduleInterview(jobId, candidate.id, `interview:${application}`);
  return interview.id;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 10_000) return null;
    chunks.push(chunk);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sendPage(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

function send(res: ServerResponse, status: number, body: object): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

if (import.meta.main) {
  const apiKey = process.env.VIVA_KEY?.trim() ?? '';
  if (!/^sk_(test|live)_/.test(apiKey)) {
    console.error('Set VIVA_KEY to a Viva secret key (sk_test_…); see README.md.');
    process.exit(2);
  }
  const apiBase = process.env.VIVA_URL || 'http://127.0.0.1:4000';
  const server = createAtsServer({
    apiKey,
    apiBase,
    ...(process.env.VIVA_SDK_URL ? { sdkUrl: process.env.VIVA_SDK_URL } : {}),
    ...(process.env.ATS_PUBLIC_ORIGIN ? { publicOrigin: process.env.ATS_PUBLIC_ORIGIN } : {}),
  });
  server.listen(Number(process.env.PORT ?? 3100), '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    console.info(`ATS candidate page on http://127.0.0.1:${port}/ (Viva at ${apiBase})`);
  });
}
