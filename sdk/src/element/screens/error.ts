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

/** The codes of a microphone problem: the pre-check and the live screen offer to try the microphone again. */
export function isMicrophoneProblem(code: InterviewErrorCode): boolean {
  return code === 'microphone_denied' || code === 'microphone_unavailable';
}

/**
 * A microphone problem no retry can mend: the page cannot capture a voice at all (no HTTPS), or the browser
 * cannot record a format the platform takes. The client marks those `microphone_unavailable`, not retryable.
 */
export function cannotCaptureVoice(error: { code?: unknown; retryable?: unknown } | null): boolean {
  return error?.code === 'microphone_unavailable' && error.retryable === false;
}

/** The candidate-facing explanation of `error`; where the voice cannot be captured, it says to type. */
export function errorMessage(error: InterviewError | null): InterviewStringKey {
  if (cannotCaptureVoice(error)) return 'errorMicrophoneUnsupported';
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
