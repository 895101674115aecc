import { html, nothing, type TemplateResult } from 'lit';
import type { InterviewError, InterviewErrorCode } from '../../client/types.ts';
import type { LocalizeController } from '../localize.ts';
import type { InterviewStringKey } from '../strings/en.ts';

/** The candidate-facing explanation of each error code; the client's `message` is for developers. */
export const errorMessages: Record<InterviewErrorCode, InterviewStringKey> = {
  session_invalid: 'errorSessionInvalid',
  origin_not_allowed: 'errorOriginNotAllowed',
  microphone_denied: 'errorMicrophoneDenied',
  microphone_unavailable: 'errorMicrophoneUnavailable',
  network: 'errorNetwork',
  interviewer_unavailable: 'errorInterviewerUnavailable',
  answer_rejected: 'errorAnswerRejected',
  unknown: 'errorUnknown',
};

/**
 * The candidate-facing explanation of `error`. A microphone problem no retry can mend (a page without
 * HTTPS, a browser that cannot record a format the platform takes) says to type instead.
 */
export function errorMessage(error: InterviewError | null): InterviewStringKey {
  if (error?.code === 'microphone_unavailable' && !error.retryable) return 'errorMicrophoneUnsupported';
  return errorMessages[error?.code ?? 'unknown'] ?? 'errorUnknown';
}

/** What went wrong, in the candidate's words, with Try again when trying again can help. */
export function renderError(
  localize: LocalizeController,
  error: InterviewError | null,
  onRetry: () => void,
): TemplateResult {
  const message = errorMessage(error);
  return html`
    <section part="error" class="screen screen--error" aria-labelledby="error-heading">
      <div class="badge badge--danger" aria-hidden="true">!</div>
      <h2 id="error-heading" tabindex="-1" data-autofocus>${localize.term('errorHeading')}</h2>
      <p>${localize.term(message)}</p>
      ${error?.requestId ? html`<p class="reference muted">${localize.term('errorReference', { id: error.requestId })}</p>` : nothing}
      ${
        error?.retryable
          ? html`<button part="retry-button" class="button button--primary" type="button" @click=${onRetry}>
              ${localize.term('retry')}
            </button>`
          : nothing
      }
    </section>
  `;
}
