import type { Schemas } from './demo-api.ts';
import { demoPath, type Html, html } from './html.ts';
import { careerShell } from './layout.ts';

export interface CareerView {
  job: Schemas['Job'];
  candidate: Schemas['Candidate'];
  interview: Schemas['Interview'];
  /** A token minted for this page view, or null when the interview can no longer be taken. */
  session: Schemas['InterviewSession'] | null;
  /** Where the widget calls the API, short of the public URL's path: this page's own origin, which serves it. */
  apiBase: string;
  /** Whether `sdk/dist/cdn/ai-interview.js` exists; without it the element stays undefined. */
  sdkBuilt: boolean;
}

/**
 * The path the platform is under as browsers reach it: empty, unless `VIVA_PUBLIC_URL` carries one (a proxy
 * serving the platform under `/viva`, say). The session's `join_url`, `{public URL}/join#token=…`, says it.
 */
function platformPath(session: Schemas['InterviewSession']): string {
  return new URL(session.join_url).pathname.replace(/\/join$/, '');
}

function interviewSection(view: CareerView): Html {
  if (!view.session) {
    return html`<p>This interview is <strong>${view.interview.status.replace('_', ' ')}</strong>. Thank you for
      your interest in Acme Robotics.</p>`;
  }
  const path = platformPath(view.session);
  // Exactly what an ATS puts in its page: the script tag and the element with a session token, nothing secret.
  return html`<script type="module" src="${path}/sdk/ai-interview.js"></script>
<div class="interview-slot">
  <ai-interview session-token="${view.session.token}" api-base="${view.apiBase}${path}"></ai-interview>
  <div class="widget-waiting" role="status">
    ${
      view.sdkBuilt
        ? html`<p>Loading the interview…</p>`
        : html`<p><strong>The interview widget is not built yet.</strong> Build it with
            <span class="mono">pnpm --filter @viva/sdk build:cdn</span> and reload this page. Meanwhile the
            candidate can take the interview by text on <a href="${view.session.join_url}">the join page</a>.</p>`
    }
  </div>
</div>`;
}

export function careerPage(view: CareerView): Html {
  const { job, candidate } = view;
  const firstName = candidate.name.split(/\s+/)[0] ?? candidate.name;
  return careerShell(
    `${job.title} · Acme Robotics careers`,
    html`<section class="hero"><div class="wrap">
  <p class="muted">Careers · Engineering · Remote or Lyon, France</p>
  <h1>${job.title}</h1>
  ${job.description ? html`<p>${job.description}</p>` : null}
</div></section>
<div class="wrap">
  <section aria-labelledby="your-interview">
    <h2 id="your-interview">Your interview, ${firstName}</h2>
    <p class="muted">A short structured interview with our AI interviewer: ${job.questions.length}
      ${job.questions.length === 1 ? 'question' : 'questions'}, up to
      ${Math.round(job.settings.max_duration_seconds / 60)} minutes. Find a quiet place before you
      start.</p>
    ${interviewSection(view)}
  </section>
  <section aria-labelledby="about">
    <h2 id="about">About Acme Robotics</h2>
    <p>We build autonomous robots that move goods through warehouses safely and quietly. Our teams are small,
      our code ships to real machines every week, and we care about doing careful work.</p>
  </section>
</div>`,
    demoPath('interviews', view.interview.id),
  );
}
