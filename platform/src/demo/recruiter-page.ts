import type { DemoApiError, Schemas } from './demo-api.ts';
import { demoPath, type Html, html } from './html.ts';
import { type JobFormValues, jobForm } from './job-form.ts';
import { atsPage, badge, errorBox, when } from './layout.ts';

export interface InviteValues {
  jobId: string;
  name: string;
  email: string;
}

export interface RecruiterView {
  jobs: Schemas['Job'][];
  interviews: Schemas['Interview'][];
  candidates: Map<string, Schemas['Candidate']>;
  /** A listing that failed: the page still renders, with the API's words. */
  loadError: DemoApiError | null;
  webhook: { endpointId: string | null; problem: string | null; received: number };
  /** What the last form post did, shown after its redirect. */
  notice: Html | null;
  jobForm: JobFormValues;
  jobError: DemoApiError | null;
  invite: InviteValues;
  inviteError: DemoApiError | null;
}

/** Interviews whose candidate can still take them have a career page. */
export const isOpen = (status: string) => status === 'scheduled' || status === 'in_progress';

function webhookStatus(webhook: RecruiterView['webhook']): Html {
  if (webhook.problem || !webhook.endpointId) {
    return html`<div class="alert warn" role="status"><p><strong>Webhooks are off for this demo:</strong>
      ${webhook.problem ?? 'the endpoint is not registered yet.'}</p><p>Restart the platform to try again.</p></div>`;
  }
  return html`<p class="muted">Webhook endpoint <span class="mono">${webhook.endpointId}</span> delivers every
    event to this demo's receiver at <span class="mono">/demo/webhooks</span>, which has verified
    ${webhook.received} ${webhook.received === 1 ? 'event' : 'events'} since the platform started.</p>`;
}

function inviteForm(view: RecruiterView): Html {
  return html`<section class="card" aria-labelledby="invite">
  <h2 id="invite">Invite a candidate</h2>
  ${view.inviteError ? errorBox(view.inviteError) : null}
  ${
    view.jobs.length === 0
      ? html`<p class="muted">Create a job first.</p>`
      : html`<form method="post" action="/demo/invitations">
    <label for="job_id">Job</label>
    <select id="job_id" name="job_id">${view.jobs.map(
      (job) =>
        html`<option value="${job.id}" ${job.id === view.invite.jobId ? html`selected` : null}>${job.title}</option>`,
    )}</select>
    <label for="name">Candidate's name</label>
    <input id="name" name="name" value="${view.invite.name}" autocomplete="off" required>
    <label for="email">E-mail <span class="hint">(optional)</span></label>
    <input id="email" name="email" type="email" value="${view.invite.email}" autocomplete="off">
    <p class="hint">Creates the candidate, schedules the interview and mints a session token: what an ATS
      does when it sends an interview invitation.</p>
    <button type="submit">Invite</button>
  </form>`
  }
</section>`;
}

function interviewRows(view: RecruiterView): Html {
  const jobs = new Map(view.jobs.map((job) => [job.id, job]));
  return html`${view.interviews.map((interview) => {
    const candidate = view.candidates.get(interview.candidate_id);
    return html`<tr>
      <td>${candidate?.name ?? interview.candidate_id}${candidate?.email ? html`<br><span class="muted">${candidate.email}</span>` : null}</td>
      <td>${jobs.get(interview.job_id)?.title ?? interview.job_id}</td>
      <td>${badge(interview.status)}</td>
      <td>${when(interview.created_at)}</td>
      <td class="actions">
        <a href="${demoPath('interviews', interview.id)}">Interview</a>
        ${isOpen(interview.status) ? html`<a href="${demoPath('careers', interview.id)}">Career page</a>` : null}
      </td>
    </tr>`;
  })}`;
}

export function recruiterPage(view: RecruiterView): Html {
  return atsPage(
    'Recruiter',
    html`<h1>Recruiter view</h1>
<p class="lead">Create a job with its questions and rubric, invite a candidate, and follow the interview:
  transcript, recording, scorecard and webhooks. The candidate takes it on a company's career page, where
  the <span class="mono">&lt;ai-interview&gt;</span> widget is embedded.</p>
${view.notice ? html`<div class="alert notice" role="status">${view.notice}</div>` : null}
${view.loadError ? errorBox(view.loadError) : null}
${webhookStatus(view.webhook)}
<div class="grid">
  ${jobForm(view.jobForm, view.jobError)}
  ${inviteForm(view)}
</div>
<section class="card" aria-labelledby="recent">
  <h2 id="recent">Recent interviews</h2>
  ${
    view.interviews.length === 0
      ? html`<p class="muted">No interviews yet. Invite a candidate above.</p>`
      : html`<table>
    <thead><tr><th scope="col">Candidate</th><th scope="col">Job</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Links</th></tr></thead>
    <tbody>${interviewRows(view)}</tbody>
  </table>`
  }
</section>`,
  );
}
