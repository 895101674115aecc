import type { DemoApiError, Schemas } from './demo-api.ts';
import type { ReceivedEvent } from './demo-webhooks.ts';
import { demoPath, type Html, html, safeUrl } from './html.ts';
import { atsPage, badge, errorBox, when } from './layout.ts';
import { isOpen } from './recruiter-page.ts';

export interface DeliveredEvent {
  event: Schemas['Event'];
  /** The demo endpoint's delivery of it; null until the worker has fanned the event out. */
  delivery: Schemas['WebhookDelivery'] | null;
}

export interface InterviewView {
  interview: Schemas['Interview'];
  job: Schemas['Job'];
  candidate: Schemas['Candidate'];
  transcript: Schemas['Transcript'];
  recording: Schemas['Recording'];
  /** Null until the interview completes (the API answers 404 before). */
  scorecard: Schemas['Scorecard'] | null;
  /** Null when the demo has no webhook endpoint. */
  deliveries: DeliveredEvent[] | null;
  received: ReceivedEvent[];
  /** A failed action (rescore), with the API's words. */
  error: DemoApiError | null;
}

const recommendationTone: Record<string, string> = {
  strong_yes: 'good',
  yes: 'good',
  no: 'bad',
  strong_no: 'bad',
};

function scorecardBody(view: InterviewView): Html {
  const card = view.scorecard;
  if (!card)
    return html`<p class="muted">The interview is scored against the job's rubric once it completes.</p>`;
  if (card.status === 'pending') {
    return html`<p>${badge('pending')} Scoring in the background (attempt ${card.attempts + 1}).
      <a href="${demoPath('interviews', view.interview.id)}">Refresh</a> in a moment.</p>`;
  }
  if (card.status === 'failed') {
    return html`<p>${badge('failed')} Scoring gave up after ${card.attempts}
      ${card.attempts === 1 ? 'attempt' : 'attempts'}.</p>
      ${card.failure ? html`<p><span class="mono">${card.failure.code}</span>: ${card.failure.message}</p>` : null}`;
  }
  return html`<p><span class="score">${card.score ?? '—'}</span><span class="muted"> / ${card.max_score}</span>
    ${card.recommendation ? html`<span class="badge ${recommendationTone[card.recommendation] ?? ''}">${card.recommendation.replace('_', ' ')}</span>` : null}</p>
  <p class="muted">Scored by <span class="mono">${card.model ?? '—'}</span> (${card.prompt_version ?? '—'}),
    ${when(card.completed_at)}. ${card.model === 'offline' ? 'The offline scorer only counts: treat its scores as placeholders.' : null}</p>
  ${card.summary ? html`<h3>Summary</h3><p>${card.summary}</p>` : null}
  <div class="grid">
    <div><h3>Strengths</h3>${list(card.strengths)}</div>
    <div><h3>Concerns</h3>${list(card.concerns)}</div>
  </div>
  ${card.dimensions.map(
    (
      d,
    ) => html`<h3>${d.name} <span class="muted">· ${Math.round(d.weight * 100)}% · ${d.score} / ${d.max_score}</span></h3>
    <p>${d.rationale}</p>
    ${d.evidence.map((e) => html`<blockquote>${e.quote}</blockquote>`)}`,
  )}`;
}

function list(items: string[]): Html {
  return items.length === 0
    ? html`<p class="muted">None noted.</p>`
    : html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`;
}

function scorecardSection(view: InterviewView): Html {
  const canRescore = view.interview.status === 'completed' && view.scorecard?.status !== 'pending';
  return html`<section class="card" aria-labelledby="scorecard">
  <h2 id="scorecard">Scorecard</h2>
  ${view.error ? errorBox(view.error) : null}
  ${scorecardBody(view)}
  ${
    canRescore
      ? html`<form method="post" action="${demoPath('interviews', view.interview.id, 'rescore')}">
    <button type="submit" class="secondary">Rescore</button></form>`
      : null
  }
</section>`;
}

function transcriptSection(transcript: Schemas['Transcript']): Html {
  return html`<section class="card" aria-labelledby="transcript">
  <h2 id="transcript">Transcript</h2>
  ${
    transcript.turns.length === 0
      ? html`<p class="muted">Nothing said yet.</p>`
      : html`<ol class="turns">${transcript.turns.map(
          (turn) =>
            html`<li class="${turn.speaker}"><div class="who">${turn.speaker} · ${turn.kind.replace('_', '-')}</div>${turn.text}</li>`,
        )}</ol>`
  }
</section>`;
}

function recordingSection(recording: Schemas['Recording']): Html {
  return html`<section class="card" aria-labelledby="recording">
  <h2 id="recording">Recording</h2>
  ${
    recording.segments.length === 0
      ? html`<p class="muted">No audio: this interview was taken by text (test-mode interviews always are).</p>`
      : html`<ol class="turns">${recording.segments.map((segment, i) => {
          const src = safeUrl(segment.url);
          return html`<li><div class="who" id="segment-${i}">${segment.speaker} · ${segment.content_type}</div>
            ${src ? html`<audio controls preload="none" src="${src}" aria-labelledby="segment-${i}"></audio>` : null}</li>`;
        })}</ol>`
  }
</section>`;
}

function webhookSection(view: InterviewView): Html {
  const deliveries = view.deliveries;
  return html`<section class="card" aria-labelledby="webhooks">
  <h2 id="webhooks">Webhooks</h2>
  <h3>Delivered by Viva</h3>
  ${
    deliveries === null
      ? html`<p class="muted">The demo has no webhook endpoint.</p>`
      : deliveries.length === 0
        ? html`<p class="muted">No events yet.</p>`
        : html`<table><thead><tr><th scope="col">#</th><th scope="col">Event</th><th scope="col">Delivery</th><th scope="col">Attempts</th><th scope="col">Last answer</th></tr></thead>
    <tbody>${deliveries.map(({ event, delivery }) => {
      const last = delivery?.last_attempt;
      return html`<tr><td>${event.sequence}</td><td>${event.type}<br><span class="mono muted">${event.id}</span></td>
        <td>${delivery ? badge(delivery.status) : html`<span class="muted">queued</span>`}</td>
        <td>${delivery?.attempts ?? 0}</td>
        <td>${last ? `${last.status_code ?? last.error ?? '—'} in ${last.latency_ms} ms` : '—'}</td></tr>`;
    })}</tbody></table>`
  }
  <h3>Received and verified by the demo</h3>
  <p class="hint">What <span class="mono">POST /demo/webhooks</span> accepted after checking the signature: the
    last 200 events, in memory since the platform started.</p>
  ${
    view.received.length === 0
      ? html`<p class="muted">Nothing received yet for this interview.</p>`
      : html`<table><thead><tr><th scope="col">#</th><th scope="col">Event</th><th scope="col">Signature</th><th scope="col">Received</th></tr></thead>
    <tbody>${view.received.map(
      (e) => html`<tr><td>${e.sequence}</td><td>${e.type}<br><span class="mono muted">${e.id}</span></td>
        <td>${badge('verified')}</td><td>${when(e.receivedAt.toISOString())}${e.copies > 1 ? ` (${e.copies} copies)` : ''}</td></tr>`,
    )}</tbody></table>`
  }
</section>`;
}

export function interviewPage(view: InterviewView): Html {
  const { interview, job, candidate } = view;
  return atsPage(
    `${candidate.name} · ${job.title}`,
    html`<p><a href="/demo">← Recruiter view</a></p>
<h1>${candidate.name}</h1>
<p class="lead">${job.title} · ${badge(interview.status)}</p>
<section class="card" aria-labelledby="interview">
  <h2 id="interview">Interview</h2>
  <dl class="facts">
    <dt>Id</dt><dd class="mono">${interview.id}</dd>
    <dt>Created</dt><dd>${when(interview.created_at)}</dd>
    <dt>Started</dt><dd>${when(interview.started_at)}</dd>
    <dt>Completed</dt><dd>${when(interview.completed_at)}</dd>
    <dt>Start by</dt><dd>${when(interview.expires_at)}</dd>
  </dl>
  <p class="actions">
    ${isOpen(interview.status) ? html`<a href="${demoPath('careers', interview.id)}">Open the career page</a>` : null}
    <a href="${demoPath('interviews', interview.id)}">Refresh</a>
  </p>
</section>
${scorecardSection(view)}
${transcriptSection(view.transcript)}
${recordingSection(view.recording)}
${webhookSection(view)}`,
  );
}
