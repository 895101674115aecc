import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Session } from '../../client/types.ts';
import { cssProperties } from '../css-properties.ts';
import { type LocalizeController, supportedLocale } from '../localize.ts';

/** Where the microphone check stands. */
/**
 * `unsupported`: the page or the browser cannot capture or record a voice at all (not HTTPS, no
 * MediaRecorder format the platform takes); no retry helps, typing does.
 */
export type MicrophoneStatus = 'off' | 'requesting' | 'ready' | 'denied' | 'unavailable' | 'unsupported';

/** What keeps Start from starting: the notice not accepted, or no microphone for a voice interview. */
export type StartProblem = 'consent' | 'microphone' | null;

export interface PreCheckView {
  localize: LocalizeController;
  session: Session;
  /** The interview is already in progress (a reload, another device): consent was given, Start resumes. */
  resuming: boolean;
  /** The candidate may answer by voice: the session accepts audio and the host did not set `text-only`. */
  voiceAllowed: boolean;
  /** The session accepts typed answers. */
  textAllowed: boolean;
  /** The candidate answers by typing (chosen, or the only way). */
  answerByText: boolean;
  microphone: MicrophoneStatus;
  microphones: readonly MediaDeviceInfo[];
  deviceId: string;
  /** The input level, 0 to 1. */
  level: number;
  consentAccepted: boolean;
  problem: StartProblem;
  onConsent(accepted: boolean): void;
  onDevice(deviceId: string): void;
  onRetryMicrophone(): void;
  onAnswerMode(byText: boolean): void;
  onStart(): void;
}

/** The session in brief, the microphone check, the recording notice and Start. */
export function renderPreCheck(view: PreCheckView): TemplateResult {
  const { localize, session } = view;
  const summary = localize.term('summary', {
    interviewer: session.interviewer.name,
    questions: localize.plural('questions', session.question_count),
    minutes: localize.plural('minutes', Math.ceil(session.max_duration_seconds / 60)),
  });
  const byVoice = view.voiceAllowed && !view.answerByText;
  return html`
    <section part="pre-check" class="screen" aria-labelledby="pre-check-heading">
      <h2 id="pre-check-heading" tabindex="-1" data-autofocus>${localize.term('preCheckHeading')}</h2>
      <p>${summary}</p>
      ${view.resuming ? html`<p class="muted">${localize.term('resumeNote')}</p>` : nothing}
      ${byVoice ? renderMicrophone(view) : renderTextOnly(view)}
      ${view.resuming ? nothing : renderConsent(view)}
      ${
        view.problem === 'microphone'
          ? html`<p id="start-problem" class="field-error" role="alert">
              ${localize.term(view.textAllowed ? 'microphoneRequired' : 'microphoneRequiredNoText')}
            </p>`
          : nothing
      }
      <div class="actions">
        <button
          part="start-button"
          class="button button--primary"
          type="button"
          aria-describedby=${ifDefined(view.problem === 'microphone' ? 'start-problem' : undefined)}
          @click=${view.onStart}
        >
          ${localize.term(view.resuming ? 'resume' : 'start')}
        </button>
      </div>
    </section>
  `;
}

function renderMicrophone(view: PreCheckView): TemplateResult {
  const { localize } = view;
  const percent = Math.round(Math.min(1, Math.max(0, view.level)) * 100);
  let body: TemplateResult;
  switch (view.microphone) {
    case 'denied':
      body = html`
        <div part="microphone-help" class="microphone-help" role="alert">
          <p><strong>${localize.term('microphoneDeniedTitle')}</strong></p>
          <p>${localize.term('microphoneDeniedHelp')}</p>
        </div>
        ${renderMicrophoneRetry(view)}
      `;
      break;
    case 'unavailable':
      body = html`
        <p part="microphone-help" role="alert">${localize.term('microphoneUnavailable')}</p>
        ${renderMicrophoneRetry(view)}
      `;
      break;
    case 'unsupported':
      body = html`<p part="microphone-help" role="alert">${localize.term('microphoneUnsupported')}</p>`;
      break;
    case 'ready':
      body = html`
        <p>${localize.term('microphoneReady')}</p>
        <label for="device-select">${localize.term('deviceLabel')}</label>
        <select
          id="device-select"
          part="device-select"
          @change=${(event: Event) => view.onDevice((event.target as HTMLSelectElement).value)}
        >
          ${view.microphones.map(
            (device, index) => html`
              <option value=${device.deviceId} ?selected=${device.deviceId === view.deviceId}>
                ${device.label || localize.term('deviceUnnamed', { count: index + 1 })}
              </option>
            `,
          )}
        </select>
        <div
          part="level-meter"
          class="level-meter"
          role="meter"
          aria-label=${localize.term('levelLabel')}
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${percent}
          ${cssProperties({ '--level': `${percent}%` })}
        >
          <div class="level-meter__fill"></div>
        </div>
      `;
      break;
    default:
      body = html`<p role="status">${localize.term('microphoneRequesting')}</p>`;
  }
  return html`
    <div part="microphone" class="panel" role="group" aria-labelledby="microphone-heading">
      <h3 id="microphone-heading">${localize.term('microphoneHeading')}</h3>
      ${body}
      ${
        view.textAllowed
          ? html`<button part="answer-mode-button" class="link-button" type="button" @click=${() => view.onAnswerMode(true)}>
              ${localize.term('answerByText')}
            </button>`
          : nothing
      }
    </div>
  `;
}

function renderMicrophoneRetry(view: PreCheckView): TemplateResult {
  return html`
    <div class="actions">
      <button part="microphone-retry-button" class="button" type="button" @click=${view.onRetryMicrophone}>
        ${view.localize.term('microphoneRetry')}
      </button>
    </div>
  `;
}

function renderTextOnly(view: PreCheckView): TemplateResult {
  return html`
    <div part="answer-mode" class="panel">
      <p>${view.localize.term('textOnlyNote')}</p>
      ${
        view.voiceAllowed
          ? html`<button part="answer-mode-button" class="link-button" type="button" @click=${() => view.onAnswerMode(false)}>
              ${view.localize.term('answerByVoice')}
            </button>`
          : nothing
      }
    </div>
  `;
}

function renderConsent(view: PreCheckView): TemplateResult {
  const { localize } = view;
  const invalid = view.problem === 'consent';
  return html`
    <div part="consent" class="panel" role="group" aria-labelledby="consent-heading">
      <h3 id="consent-heading">${localize.term('consentHeading')}</h3>
      <p id="consent-text" class="consent__text" lang=${consentLanguage(view.session)}>${view.session.consent_text}</p>
      <label class="checkbox">
        <input
          id="consent-checkbox"
          part="consent-checkbox"
          type="checkbox"
          .checked=${view.consentAccepted}
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${invalid ? 'consent-text consent-problem' : 'consent-text'}
          @change=${(event: Event) => view.onConsent((event.target as HTMLInputElement).checked)}
        />
        <span>${localize.term('consentAccept')}</span>
      </label>
      ${
        invalid
          ? html`<p id="consent-problem" class="field-error" role="alert">${localize.term('consentRequired')}</p>`
          : nothing
      }
    </div>
  `;
}

/**
 * The language of the session's recording notice: the platform writes it in the interview's language when it
 * has a translation (the languages the widget has strings for), else in English.
 */
function consentLanguage(session: Session): string {
  return supportedLocale(session.language) ? session.language : 'en';
}
