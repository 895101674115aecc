import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { ApiError } from '../http/api-error.ts';
import { readBody } from '../http/read-body.ts';
import { widgetBuilt } from '../widget/sdk-files.ts';
import { careerPage } from './career-page.ts';
import { DemoApiError, query, type Schemas } from './demo-api.ts';
import type { DemoAts } from './demo-ats.ts';
import { InvalidWebhook } from './demo-webhooks.ts';
import { demoPath, type Html, html } from './html.ts';
import { type DeliveredEvent, interviewPage } from './interview-page.ts';
import { createJobRequest, defaultJobForm, jobFormFrom } from './job-form.ts';
import { atsPage, errorBox, pageSecurityPolicy } from './layout.ts';
import { type InviteValues, isOpen, type RecruiterView, recruiterPage } from './recruiter-page.ts';

type List<T> = { data: T[]; has_more: boolean };

const formLimit = 64 * 1024;

interface PageOrigins {
  /** Hosts of the recordings the page plays. */
  media?: string[];
  /** Servers the widget on the page connects to besides the platform (LiveKit). */
  connect?: readonly string[];
}

function sendPage(ctx: Context, page: Html, status = 200, origins: PageOrigins = {}): void {
  ctx.status = status;
  ctx.set('Content-Security-Policy', pageSecurityPolicy(origins.media, origins.connect));
  // Pages hold session tokens and candidates' answers: never kept by a cache.
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page.value;
}

/** 4xx from the API stays 4xx on the page; anything else is the platform failing this demo: 502. */
const statusFor = (error: DemoApiError) => (error.status >= 400 && error.status < 500 ? error.status : 502);

/** API failures become a page with the API's words; anything else a plain page, and a log line with the stack. */
function demoErrors(): Middleware {
  return async function demoErrorPage(ctx, next) {
    try {
      await next();
    } catch (caught) {
      // The platform's own checks on this request (a form body too large, say) read like the API's.
      const error =
        caught instanceof ApiError
          ? new DemoApiError(caught.status, caught.message, { code: caught.code })
          : caught;
      if (!(error instanceof DemoApiError)) ctx.state.log.error({ err: error }, 'demo ATS page failed');
      const box =
        error instanceof DemoApiError
          ? errorBox(error)
          : html`<div class="alert error" role="alert"><p>Something went wrong on our side. It has been logged.</p></div>`;
      sendPage(
        ctx,
        atsPage(
          'Error',
          html`<h1>That did not work</h1>${box}<p><a href="/demo">Back to the recruiter view</a></p>`,
        ),
        error instanceof DemoApiError ? statusFor(error) : 500,
      );
    }
  };
}

/** Where the browser reached this page (behind a proxy, as it forwarded it). Koa 3's `ctx.origin` is the Origin header. */
const pageOrigin = (ctx: Context) => `${ctx.protocol}://${ctx.host}`;

/**
 * The demo's forms only work from its own pages: a page elsewhere cannot make the browser post them
 * (cross-site request forgery). Browsers say where a request comes from in Sec-Fetch-Site, or Origin.
 */
function sameOriginForms(): Middleware {
  return async function sameOriginOnly(ctx, next) {
    const site = ctx.get('sec-fetch-site');
    const origin = ctx.get('origin');
    const foreign = site
      ? site !== 'same-origin' && site !== 'none'
      : origin !== '' && origin !== pageOrigin(ctx);
    if (foreign) {
      sendPage(
        ctx,
        atsPage(
          'Refused',
          html`<h1>Refused</h1><p>This form can only be sent from the demo's own pages.</p>`,
        ),
        403,
      );
      return;
    }
    await next();
  };
}

async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new DemoApiError(415, 'Send the form as application/x-www-form-urlencoded.');
  }
  return new URLSearchParams((await readBody(ctx, formLimit)).toString('utf8'));
}

const orNull = <T>(promise: Promise<T>): Promise<T | null> =>
  promise.catch((error: unknown) => {
    if (error instanceof DemoApiError && error.status === 404) return null;
    throw error;
  });

async function recruiterView(demo: DemoAts, overrides: Partial<RecruiterView>): Promise<RecruiterView> {
  let jobs: Schemas['Job'][] = [];
  let interviews: Schemas['Interview'][] = [];
  let candidates: Schemas['Candidate'][] = [];
  let loadError: DemoApiError | null = null;
  try {
    [jobs, interviews, candidates] = await Promise.all([
      demo.api.get<List<Schemas['Job']>>('/v1/jobs?limit=100').then((l) => l.data),
      demo.api.get<List<Schemas['Interview']>>('/v1/interviews?limit=25').then((l) => l.data),
      demo.api.get<List<Schemas['Candidate']>>('/v1/candidates?limit=100').then((l) => l.data),
    ]);
  } catch (error) {
    if (!(error instanceof DemoApiError)) throw error;
    loadError = error;
  }
  return {
    jobs,
    interviews,
    candidates: new Map(candidates.map((c) => [c.id, c])),
    loadError,
    webhook: {
      endpointId: demo.webhooks.endpointId,
      problem: demo.webhooks.problem,
      received: demo.webhooks.receivedCount,
    },
    notice: null,
    jobForm: defaultJobForm(),
    jobError: null,
    invite: { jobId: jobs[0]?.id ?? '', name: '', email: '' },
    inviteError: null,
    ...overrides,
  };
}

/** What the last form did, read back from the redirect's query (ids only; the names come from the API). */
function noticeFor(demo: DemoAts, view: RecruiterView, ctx: Context): Html | null {
  const jobId = typeof ctx.query.job === 'string' ? ctx.query.job : null;
  const invitedId = typeof ctx.query.invited === 'string' ? ctx.query.invited : null;
  const job = view.jobs.find((j) => j.id === jobId);
  if (job) return html`<p>Job <strong>${job.title}</strong> created. Invite a candidate for it.</p>`;
  const interview = view.interviews.find((i) => i.id === invitedId);
  if (!interview) return null;
  const name = view.candidates.get(interview.candidate_id)?.name ?? 'the candidate';
  const joinUrl = demo.invitationLink(interview.id);
  return html`<p>Interview scheduled for <strong>${name}</strong>.
    <a href="${demoPath('careers', interview.id)}">Open the career page</a> to take it as the candidate.</p>
    ${joinUrl ? html`<p class="hint">The link an ATS would e-mail instead: <a href="${joinUrl}">join page</a> (valid 15 minutes).</p>` : null}`;
}

async function interviewView(demo: DemoAts, id: string, error: DemoApiError | null) {
  const path = `/v1/interviews/${encodeURIComponent(id)}`;
  const interview = await demo.api.get<Schemas['Interview']>(path);
  const endpointId = demo.webhooks.endpointId;
  const [job, candidate, transcript, recording, scorecard, events] = await Promise.all([
    demo.api.get<Schemas['Job']>(`/v1/jobs/${interview.job_id}`),
    demo.api.get<Schemas['Candidate']>(`/v1/candidates/${interview.candidate_id}`),
    demo.api.get<Schemas['Transcript']>(`${path}/transcript`),
    demo.api.get<Schemas['Recording']>(`${path}/recording`),
    orNull(demo.api.get<Schemas['Scorecard']>(`${path}/scorecard`)),
    demo.api.get<List<Schemas['Event']>>(`/v1/events${query({ interview_id: id, limit: 100 })}`),
  ]);
  const ordered = events.data.sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  const deliveries: DeliveredEvent[] | null = endpointId
    ? await Promise.all(
        ordered.map(async (event) => {
          const found = await demo.api.get<List<Schemas['WebhookDelivery']>>(
            `/v1/webhook_endpoints/${endpointId}/deliveries${query({ event_id: event.id, limit: 1 })}`,
          );
          return { event, delivery: found.data[0] ?? null };
        }),
      )
    : null;
  const received = demo.webhooks.receivedFor(interview.id);
  return { interview, job, candidate, transcript, recording, scorecard, deliveries, received, error };
}

/** The recording links' origins, for the page's media-src (S3 serves them from elsewhere). */
function originsOf(recording: Schemas['Recording']): string[] {
  const origins = new Set<string>();
  for (const segment of recording.segments) {
    try {
      const url = new URL(segment.url);
      if (url.protocol === 'https:' || url.protocol === 'http:') origins.add(url.origin);
    } catch {
      // A link that is not a URL is left out of the page too.
    }
  }
  return [...origins];
}

export function demoRouter(demo: DemoAts): Router {
  const router = new Router();
  router.use(demoErrors());

  router.get('/demo', async (ctx) => {
    const view = await recruiterView(demo, {});
    // Just created a job: it is the one to invite a candidate for.
    const created = view.jobs.find((job) => job.id === ctx.query.job);
    const invite = created ? { ...view.invite, jobId: created.id } : view.invite;
    sendPage(ctx, recruiterPage({ ...view, invite, notice: noticeFor(demo, view, ctx) }));
  });

  router.post('/demo/jobs', sameOriginForms(), async (ctx) => {
    const values = jobFormFrom(await readForm(ctx));
    try {
      const job = await demo.api.post<Schemas['Job']>('/v1/jobs', createJobRequest(values));
      ctx.redirect(`/demo${query({ job: job.id })}`);
      ctx.status = 303;
    } catch (error) {
      if (!(error instanceof DemoApiError)) throw error;
      const view = await recruiterView(demo, { jobForm: values, jobError: error });
      sendPage(ctx, recruiterPage(view), statusFor(error));
    }
  });

  router.post('/demo/invitations', sameOriginForms(), async (ctx) => {
    const form = await readForm(ctx);
    const invite: InviteValues = {
      jobId: form.get('job_id') ?? '',
      name: form.get('name') ?? '',
      email: form.get('email') ?? '',
    };
    try {
      const candidate = await demo.api.post<Schemas['Candidate']>('/v1/candidates', {
        name: invite.name.trim(),
        ...(invite.email.trim() ? { email: invite.email.trim() } : {}),
      });
      const interview = await demo.api.post<Schemas['Interview']>('/v1/interviews', {
        job_id: invite.jobId,
        candidate_id: candidate.id,
      });
      const session = await demo.api.post<Schemas['InterviewSession']>(
        `/v1/interviews/${interview.id}/sessions`,
      );
      demo.rememberInvitation(interview.id, session.join_url);
      ctx.redirect(`/demo${query({ invited: interview.id })}`);
      ctx.status = 303;
    } catch (error) {
      if (!(error instanceof DemoApiError)) throw error;
      const view = await recruiterView(demo, { invite, inviteError: error });
      sendPage(ctx, recruiterPage(view), statusFor(error));
    }
  });

  router.get('/demo/careers/:id', async (ctx) => {
    const id = ctx.params.id!;
    const interview = await demo.api.get<Schemas['Interview']>(`/v1/interviews/${encodeURIComponent(id)}`);
    const [job, candidate, session] = await Promise.all([
      demo.api.get<Schemas['Job']>(`/v1/jobs/${interview.job_id}`),
      demo.api.get<Schemas['Candidate']>(`/v1/candidates/${interview.candidate_id}`),
      // A fresh token for every page view, minted server-side as an ATS does: it lives 15 minutes.
      isOpen(interview.status)
        ? demo.api.post<Schemas['InterviewSession']>(`/v1/interviews/${interview.id}/sessions`)
        : null,
    ]);
    const sdkBuilt = await widgetBuilt(demo.sdkDir);
    sendPage(
      ctx,
      careerPage({ job, candidate, interview, session, apiBase: pageOrigin(ctx), sdkBuilt }),
      200,
      {
        connect: demo.widgetConnectOrigins,
      },
    );
  });

  router.get('/demo/interviews/:id', async (ctx) => {
    const view = await interviewView(demo, ctx.params.id!, null);
    sendPage(ctx, interviewPage(view), 200, { media: originsOf(view.recording) });
  });

  router.post('/demo/interviews/:id/rescore', sameOriginForms(), async (ctx) => {
    const id = ctx.params.id!;
    try {
      await demo.api.post(`/v1/interviews/${encodeURIComponent(id)}/scorecard/rescore`);
      ctx.redirect(demoPath('interviews', id));
      ctx.status = 303;
    } catch (error) {
      if (!(error instanceof DemoApiError)) throw error;
      const view = await interviewView(demo, id, error);
      sendPage(ctx, interviewPage(view), statusFor(error), { media: originsOf(view.recording) });
    }
  });

  // The receiver, called by Viva's delivery worker: verified by signature, so open to any origin.
  router.post('/demo/webhooks', async (ctx) => {
    const body = (await readBody(ctx, 1024 * 1024)).toString('utf8');
    try {
      const event = demo.webhooks.receive(ctx.headers, body);
      ctx.body = { received: event.id };
    } catch (error) {
      if (!(error instanceof InvalidWebhook)) throw error;
      ctx.status = 400;
      ctx.body = { error: error.message };
    }
  });

  return router;
}
