import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { InterviewError, InterviewState, Session, TranscriptEntry } from '../../client/types.ts';
import { cssProperties } from '../css-properties.ts';
import type { LocalizeController } from '../localize.ts';
import { cannotCaptureVoice, errorMessage, isMicrophoneProblem } from './error.ts';

export interface LiveView {
  localize: LocalizeController;
  session: Session;
  state: InterviewState;
  captions: readonly TranscriptEntry[];
  /** The candidate answers by voice (the microphone is open); otherwise by typing. */
  byVoice: boolean;
  /** The session accepts typed answers, so a voice candidate may switch to typing. */
  textAllowed: boolean;
  /** The microphone's input level, 0 to 1, for the candidate's side of the visual. */
  level: number;
  draft: string;
  sending: boolean;
  confirmingEnd: boolean;
  /** The end was confirmed and is under way. */
  ending: boolean;
  onDraft(text: string): void;
  onSend(): void;
  onMute(): void;
  onTypeInstead(): void;
  onAskEnd(): void;
  onCancelEnd(): void;
  onConfirmEnd(): void;
  /** Opens the microphone again after it was lost (unplugged, or its permission withdrawn). */
  onRetryMicrophone(): void;
}

/** `mm:ss`, or `h:mm:ss` from an hour up. */
export function formatTimeLeft(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}`
    : `${String(minutes).padStart(2, '0')}:${rest}`;
}

/** The running interview: progress and time, the interviewer visual, captions, the answer box, controls. */
export function renderLive(view: LiveView): TemplateResult {
  const { localize, state } = view;
  const total = Math.max(state.questionCount, 1);
  const current = Math.min(state.questionIndex + 1, total);
  return html`
    <section part="live" class="screen" aria-labelledby="live-heading">
      <h2 id="live-heading" class="visually-hidden" tabindex="-1" ?data-autofocus=${view.byVoice}>${localize.term('liveHeading')}</h2>
      <div class="status-bar">
        <span part="progress">${localize.term('progress', { current, total })}</span>
        ${
          state.timeLeftSeconds === null
            ? nothing
            : html`<span part="timer" role="timer">
                ${localize.term('timeLeft')}<span class="timer__value">${formatTimeLeft(state.timeLeftSeconds)}</span>
              </span>`
        }
      </div>
      ${renderVisual(view)} ${renderCaptions(view)} ${view.byVoice ? nothing : renderTextAnswer(view)}
      ${
        // Problems the interview goes on with (a refused answer, a lost microphone) are told here, in place.
        state.error
          ? html`<p part="live-error" class="field-error" role="alert">${localize.term(errorMessage(state.error))}</p>
              ${
                // Without it, a candidate answering by voice alone could not go on once their device went.
                view.byVoice && microphoneCanBeRetried(state.error)
                  ? html`<div class="actions">
                      <button part="microphone-retry-button" class="button" type="button" @click=${view.onRetryMicrophone}>
                        ${localize.term('microphoneRetry')}
                      </button>
                    </div>`
                  : nothing
              }`
          : nothing
      }
      ${view.confirmingEnd ? renderEndConfirm(view) : renderControls(view)}
    </section>
  `;
}

function turnStatus(view: LiveView): string {
  const { localize, state, session } = view;
  const interviewer = session.interviewer.name;
  if (state.speaking === 'interviewer') return localize.term('interviewerSpeaking', { interviewer });
  if (state.turn === 'candidate') {
    if (!view.byVoice) return localize.term('yourTurnText');
    if (state.muted) return localize.term('muted');
    return state.speaking === 'candidate' ? localize.term('listening') : localize.term('yourTurnVoice');
  }
  return localize.term('interviewerThinking', { interviewer });
}

function renderVisual(view: LiveView): TemplateResult {
  const { state, session } = view;
  const initial = Array.from(session.interviewer.name.trim())[0]?.toUpperCase() ?? '';
  // No white space between the rings and `</div>`: Chromium makes white space after the out-of-flow rings
  // a grid item of its own, a second row that pushed the initial above the avatar's centre.
  return html`
    <div
      part="interviewer-visual"
      class="visual"
      data-speaking=${state.speaking ?? 'none'}
      data-turn=${state.turn}
      ${cssProperties({
        '--candidate-level': state.speaking === 'candidate' ? Math.min(1, view.level).toFixed(2) : '0',
      })}
    >
      <div class="visual__avatar" aria-hidden="true">
        ${initial}<span class="visual__ring"></span><span class="visual__ring visual__ring--late"></span></div>
      <p class="visual__status" role="status">${turnStatus(view)}</p>
    </div>
  `;
}

function renderCaptions(view: LiveView): TemplateResult {
  const { localize, session } = view;
  // While a line is still being written, the region is busy, so screen readers read it once it is whole.
  const streaming = view.captions.some((entry) => !entry.final);
  return html`
    <div
      part="captions"
      class="captions"
      role="log"
      aria-live="polite"
      aria-busy=${streaming ? 'true' : 'false'}
      aria-label=${localize.term('captionsLabel')}
      tabindex="0"
      lang=${session.language}
    >
      ${
        view.captions.length === 0
          ? html`<p class="muted" lang=${localize.langTag()}>
              ${localize.term('captionsEmpty', { interviewer: session.interviewer.name })}
            </p>`
          : repeat(
              view.captions,
              (entry) => entry.turnId,
              (entry) => html`
                <p
                  part="caption caption-${entry.speaker}"
                  class="caption"
                  data-speaker=${entry.speaker}
                  data-final=${entry.final ? 'true' : 'false'}
                >
                  <span class="caption__speaker" lang=${localize.langTag()}
                    >${entry.speaker === 'interviewer' ? session.interviewer.name : localize.term('you')}</span
                  ><span class="caption__text" dir="auto">${entry.text}</span>
                </p>
              `,
            )
      }
    </div>
  `;
}

function renderTextAnswer(view: LiveView): TemplateResult {
  const { localize, state } = view;
  const yourTurn = state.turn === 'candidate';
  const canSend = yourTurn && !view.sending && view.draft.trim().length > 0;
  const onKeyDown = (event: KeyboardEvent) => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition is neither.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (canSend) view.onSend();
  };
  return html`
    <form
      part="text-answer"
      class="answer"
      @submit=${(event: Event) => {
        event.preventDefault();
        if (canSend) view.onSend();
      }}
    >
      <label for="answer-input">${localize.term('answerLabel')}</label>
      <textarea
        id="answer-input"
        part="answer-input"
        data-autofocus
        rows="3"
        maxlength="5000"
        dir="auto"
        placeholder=${localize.term('answerPlaceholder')}
        aria-describedby="answer-hint"
        .value=${view.draft}
        @input=${(event: Event) => view.onDraft((event.target as HTMLTextAreaElement).value)}
        @keydown=${onKeyDown}
      ></textarea>
      <button part="send-button" class="button button--primary" type="submit" ?disabled=${!canSend}>
        ${localize.term(view.sending ? 'sending' : 'send')}
      </button>
      <p id="answer-hint" class="answer__hint muted">
        ${yourTurn ? localize.term('answerHint') : localize.term('answerWait', { interviewer: view.session.interviewer.name })}
      </p>
    </form>
  `;
}

function renderControls(view: LiveView): TemplateResult {
  const { localize, state } = view;
  return html`
    <div part="controls" class="controls">
      ${
        view.byVoice
          ? html`
            <button
              part="mute-button"
              class="button"
              type="button"
              aria-pressed=${state.muted ? 'true' : 'false'}
              @click=${view.onMute}
            >
              ${
                // A toggle keeps its label, and `aria-pressed` says whether it is on: a label that changed
                // too would be read as "Unmute microphone, pressed".
                localize.term('mute')
              }
            </button>
            ${
              view.textAllowed
                ? html`<button part="answer-mode-button" class="button" type="button" @click=${view.onTypeInstead}>
                    ${localize.term('answerByText')}
                  </button>`
                : nothing
            }
          `
          : nothing
      }
      <button part="end-button" class="button button--danger-outline" type="button" @click=${view.onAskEnd}>
        ${localize.term('end')}
      </button>
    </div>
  `;
}

function renderEndConfirm(view: LiveView): TemplateResult {
  const { localize } = view;
  return html`
    <div
      part="end-confirm"
      class="panel end-confirm"
      role="group"
      aria-labelledby="end-confirm-heading"
      aria-describedby="end-confirm-text"
      @keydown=${(event: KeyboardEvent) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          view.onCancelEnd();
        }
      }}
    >
      <h3 id="end-confirm-heading">${localize.term('endConfirmHeading')}</h3>
      <p id="end-confirm-text">${localize.term('endConfirmText')}</p>
      <div class="actions">
        <button part="end-cancel-button" class="button" type="button" @click=${view.onCancelEnd}>
          ${localize.term('endCancel')}
        </button>
        <button
          part="end-confirm-button"
          class="button button--danger"
          type="button"
          aria-disabled=${view.ending ? 'true' : 'false'}
          @click=${view.onConfirmEnd}
        >
          ${localize.term('endConfirm')}
        </button>
      </div>
    </div>
  `;
}

function microphoneCanBeRetried(error: InterviewError): boolean {
  return isMicrophoneProblem(error.code) && !cannotCaptureVoice(error);
}
