import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { Session, TranscriptEntry } from '../client/types.ts';
import styles from './ai-interview.styles.ts';
import { AnswerModeController } from './answer-mode.ts';
import { createInterviewClient } from './client-factory.ts';
import { EndConfirmationController } from './end-confirmation.ts';
import { FocusController } from './focus.ts';
import { HasSlotController } from './has-slot.ts';
import type { InterviewClientFactory, InterviewClientLike } from './interview-client-like.ts';
import { InterviewConnectionController } from './interview-connection.ts';
import { LocalizeController } from './localize.ts';
import { MicrophoneCheckController } from './microphone-check.ts';
import { type Screen, screenFor } from './screen.ts';
import { renderCompleted } from './screens/completed.ts';
import { renderError } from './screens/error.ts';
import { renderHeader } from './screens/header.ts';
import { renderLive } from './screens/live.ts';
import { renderLoading } from './screens/loading.ts';
import { renderPreCheck } from './screens/pre-check.ts';
import { renderReconnecting } from './screens/reconnecting.ts';
import { StartCheckController } from './start-check.ts';
import type { InterviewStrings } from './strings/en.ts';
import { TextAnswerController } from './text-answer.ts';
import { watch } from './watch.ts';

/**
 * @tagname ai-interview
 * @summary An AI interview, embedded: the candidate checks their microphone, accepts the recording notice,
 * talks (or types) with the AI interviewer with live captions, and finishes. A view over `InterviewClient`;
 * give it the session token your server minted, never a secret key.
 *
 * @slot logo - Your logo, in the header. Defaults to the company logo from the session, if any.
 * @slot header - Replaces the whole header (logo and title).
 * @slot footer - A footer under the interview: help links, legal text. Hidden when empty.
 * @slot completed - Replaces the thank-you shown when the interview is over.
 *
 * @event {InterviewReadyEvent} interview-ready - The session is loaded; `detail` is the `Session`.
 * @event {InterviewStartedEvent} interview-started - The interview is running; `detail.interviewId`.
 * @event {InterviewStateChangeEvent} interview-state - The client's state changed; `detail` is the `InterviewState` (`detail.transport`: `livekit` or `http`, once started).
 * @event {InterviewTranscriptEvent} interview-transcript - A caption line appeared or grew; `detail` is the `TranscriptEntry`.
 * @event {InterviewCompletedEvent} interview-completed - The interview is over; `detail` is `{ interviewId, reason }`.
 * @event {InterviewErrorEvent} interview-error - Something failed; `detail` is the `InterviewError`. Fatal problems show the error screen (or the microphone help); others, such as a refused answer or a lost microphone, show in `live-error` while the interview goes on.
 * @event {InterviewEndRequestEvent} interview-end-request - The candidate confirmed ending the interview. Cancelable: call `preventDefault()` to keep it going.
 *
 * @csspart base - The widget's frame, inside the host.
 * @csspart header - The header: logo and title.
 * @csspart logo - The logo's container.
 * @csspart title - The job title and company name.
 * @csspart body - The area that shows the current screen.
 * @csspart footer - The footer around the `footer` slot.
 * @csspart loading - The loading screen.
 * @csspart pre-check - The screen before the start.
 * @csspart microphone - The microphone check.
 * @csspart microphone-help - The explanation shown when the microphone is blocked or missing.
 * @csspart microphone-retry-button - Try the microphone again: on the pre-check, and during the interview once it was lost.
 * @csspart device-select - The microphone picker.
 * @csspart level-meter - The microphone level (`role="meter"`); its fill follows the candidate's voice.
 * @csspart answer-mode - The note shown when the candidate answers by text.
 * @csspart answer-mode-button - Switches between answering by voice and by text.
 * @csspart consent - The recording notice and its checkbox.
 * @csspart consent-checkbox - The checkbox that accepts the notice.
 * @csspart start-button - Starts (or resumes) the interview.
 * @csspart live - The running interview.
 * @csspart progress - "Question k of n".
 * @csspart timer - The time left.
 * @csspart interviewer-visual - The interviewer's avatar and status line, which react to who is speaking.
 * @csspart captions - The live captions (an `aria-live` log).
 * @csspart caption - One caption line; also `caption-interviewer` or `caption-candidate`.
 * @csspart caption-interviewer - A caption line of the interviewer's.
 * @csspart caption-candidate - A caption line of the candidate's.
 * @csspart text-answer - The typed-answer form.
 * @csspart answer-input - The typed-answer text box.
 * @csspart send-button - Sends the typed answer.
 * @csspart controls - The row of live controls.
 * @csspart mute-button - The microphone's mute toggle: its label stays "Mute microphone", and `aria-pressed` says whether it is on.
 * @csspart end-button - Asks to end the interview.
 * @csspart end-confirm - The confirmation step before ending.
 * @csspart end-cancel-button - Keeps the interview going.
 * @csspart end-confirm-button - Ends the interview.
 * @csspart live-error - A problem the interview goes on with: a refused answer, a lost microphone.
 * @csspart reconnecting - The banner shown while the connection is restored.
 * @csspart completed - The thank-you screen.
 * @csspart error - The error screen.
 * @csspart retry-button - Tries again after an error that may pass.
 *
 * @cssproperty [--ai-interview-color-primary=#4338ca] - Buttons, links, focus rings, the avatar (dark: #a5b4fc).
 * @cssproperty [--ai-interview-color-on-primary=#ffffff] - Text on the primary colour (dark: #1e1b4b).
 * @cssproperty [--ai-interview-color-surface=#ffffff] - The background (dark: #15171c).
 * @cssproperty [--ai-interview-color-text=#1b1f24] - The text (dark: #e6e8eb).
 * @cssproperty [--ai-interview-color-muted=#57606a] - Secondary text (dark: #a2aab5).
 * @cssproperty [--ai-interview-color-danger=#b42318] - Ending and errors (dark: #fda4a4).
 * @cssproperty [--ai-interview-color-on-danger=#ffffff] - Text on the danger colour (dark: #3b0a0a).
 * @cssproperty [--ai-interview-color-border=#7d8590] - Borders of fields and secondary buttons (dark: #7d8590).
 * @cssproperty [--ai-interview-color-focus=var(--ai-interview-color-primary)] - The focus ring.
 * @cssproperty [--ai-interview-font-family=system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif] - The font.
 * @cssproperty [--ai-interview-font-size=1rem] - The base font size; every size in the widget follows it.
 * @cssproperty [--ai-interview-radius=0.75em] - Corner radius of the frame, panels and buttons.
 * @cssproperty [--ai-interview-spacing=1em] - The base spacing unit.
 * @cssproperty [--ai-interview-max-width=44em] - The widest the widget grows; it centres in wider hosts.
 */
export default class AiInterview extends LitElement {
  static override styles = styles;

  /** This build's version: a second copy of the widget on the page compares it before registering. */
  static readonly version: string = '0.1.0';

  /**
   * Registers the element under `name`. A page may load the widget twice (its own bundle and a vendor's
   * script tag): a second registration is skipped, with a warning only when the two copies differ in version.
   */
  static define(name: string): void {
    // `this`, not `AiInterview`: a subclass (another version of the widget) registers itself.
    // biome-ignore lint/complexity/noThisInStatic: see above.
    const { version } = this;
    // Through a variable: the manifest analyzer takes the tag from `@tagname`, not from this generic call.
    const registry: CustomElementRegistry = customElements;
    const registered = registry.get(name) as (CustomElementConstructor & { version?: string }) | undefined;
    if (!registered) {
      // A subclass per registration: one constructor cannot be defined under two names.
      // biome-ignore lint/complexity/noThisInStatic: see above.
      registry.define(name, class extends this {});
      return;
    }
    if (registered.version === version) return;
    console.warn(
      `<${name}> ${version} was not registered: version ${registered.version ?? '(unknown)'} already is.`,
    );
  }

  /** Makes the client for a session; replace it only to wrap or instrument the real `InterviewClient`. */
  static createClient: InterviewClientFactory = createInterviewClient;

  private readonly localize = new LocalizeController(this);
  private readonly slots = new HasSlotController(this, ['logo', 'header', 'footer']);
  private readonly interview: InterviewConnectionController = new InterviewConnectionController(this, {
    createClient: (options) => (this.constructor as typeof AiInterview).createClient(options),
    stateChanged: (state) => {
      if (state.status === 'completed' || state.status === 'error') this.ending.dismiss();
    },
    level: (level) => this.microphone.setLevel(level),
    reset: () => this.resetInterview(),
  });
  private readonly microphone: MicrophoneCheckController = new MicrophoneCheckController(this, {
    client: () => this.client,
    byVoice: () => this.answerMode.answersByVoice,
    ready: () => this.startCheck.microphoneReady(),
  });
  private readonly keyboardFocus = new FocusController(this, () => this.screen());
  private readonly answerMode: AnswerModeController = new AnswerModeController(
    this,
    () => this.session,
    this.microphone,
    this.keyboardFocus,
  );
  private readonly startCheck: StartCheckController = new StartCheckController(this, {
    client: () => this.client,
    session: () => this.session,
    answerMode: this.answerMode,
    microphone: this.microphone,
    focus: this.keyboardFocus,
  });
  private readonly textAnswer: TextAnswerController = new TextAnswerController(this, () => this.client);
  private readonly ending: EndConfirmationController = new EndConfirmationController(
    this,
    this.keyboardFocus,
    () => this.session?.interview_id ?? '',
  );

  /** The session token your server minted for this candidate (`POST /v1/interviews/{id}/sessions`). Never a secret key. Removed or empty: no session (the loading screen), and an interview under way is let go. */
  @property({ attribute: 'session-token' }) sessionToken = '';

  /** The platform's base URL, e.g. `https://api.viva.example`. Defaults to this page's origin. */
  @property({ attribute: 'api-base' }) apiBase = '';

  /** The language of the widget: `en`, `es`, `fr`, `de` or `pt` (loaded on demand: see `localeReady`). Defaults to the browser's language, else English. */
  @property() locale: string | undefined;

  /** `light`, `dark`, or `auto` to follow the system's colour scheme. */
  @property({ reflect: true }) theme: 'light' | 'dark' | 'auto' = 'auto';

  /** `full` for a page of its own; `compact` for a side panel or a small frame. */
  @property({ reflect: true }) layout: 'full' | 'compact' = 'full';

  /**
   * The silence, in milliseconds, that ends a spoken answer, over HTTP and LiveKit alike: 300 to 10000 (a
   * value outside counts as the nearer bound). Default 1800.
   */
  @property({ attribute: 'silence-ms', type: Number }) silenceMs: number | undefined;

  /** Replacements for any of the widget's strings (property only), e.g. `{ start: 'Begin' }`. They apply in every locale. */
  @property({ attribute: false }) strings: Partial<InterviewStrings> | undefined;

  /**
   * `auto` joins the session's LiveKit room for a voice interview when the platform offers one, and goes on
   * over HTTP when WebRTC cannot connect; `http` never tries LiveKit. Removed (or null) means `auto`; any other
   * value warns in the console and means `auto`. `interview-state` tells which is in use (`detail.transport`).
   */
  @property() transport: 'auto' | 'http' = 'auto';

  /** Answer by typing only: the widget never asks for the microphone. Set during a voice interview, it switches the candidate to typing. */
  @property({ attribute: 'text-only', type: Boolean, reflect: true }) textOnly = false;

  /** The captions last scrolled to their end: each new caption, or longer one, comes as a new list. */
  private scrolledCaptions: readonly TranscriptEntry[] | null = null;

  /**
   * Starts the interview, as the Start button does. It needs the candidate's acceptance of the recording
   * notice (unless the interview is being resumed) and, for a voice interview, a working microphone;
   * without them it shows what is missing and rejects.
   */
  async start(): Promise<void> {
    await this.startCheck.start();
  }

  /** Ends the interview now, without the confirmation step or the `interview-end-request` event. */
  async end(): Promise<void> {
    // The confirmation closes with the completed state, so focus moves from it to the thank-you.
    await this.client?.end();
  }

  /**
   * Resolves once the widget shows the strings of its language. English is built in; another language
   * loads on demand the first time it is needed, and until it arrives the widget shows English (with your
   * `strings` overrides). Await it after setting `locale`, as you would `updateComplete`. Never rejects:
   * if the strings cannot load, the widget stays in English.
   */
  get localeReady(): Promise<void> {
    return this.localize.ready().then(async () => {
      await this.updateComplete;
    });
  }

  /** Mutes the microphone (`true`), unmutes it (`false`), or toggles it (no argument). */
  mute(muted?: boolean): void {
    this.client?.setMuted(muted ?? !this.interview.state.muted);
  }

  @watch(['sessionToken', 'apiBase', 'silenceMs', 'transport'])
  protected handleSessionChange(): void {
    if (this.isConnected) this.interview.connect();
  }

  @watch('transport')
  protected handleTransportChange(): void {
    // A typo here would otherwise pass unnoticed: the interview still runs, on `auto`. No value at all (the
    // attribute removed, or a framework binding `null`) is the default, not a typo.
    if (this.transport == null) return;
    if (this.transport !== 'auto' && this.transport !== 'http') {
      console.warn(`<ai-interview> transport="${this.transport}" is not "auto" or "http"; it uses "auto".`);
    }
  }

  @watch('textOnly')
  protected handleTextOnlyChange(): void {
    if (!this.textOnly) return;
    // Set during a voice interview, it switches the candidate to typing, as "Answer by text instead" does;
    // focus follows to the answer box only if it was in the widget (the voice controls it was on are gone).
    const { answerMode, microphone } = this;
    if (answerMode.answeringByVoice) answerMode.typeInstead(this.keyboardFocus.focusedControl() !== null);
    else if (microphone.status !== 'off') microphone.close();
  }

  private get client(): InterviewClientLike | null {
    return this.interview.client;
  }

  private get session(): Session | null {
    return this.interview.state.session;
  }

  /** What the candidate did in an interview that was let go: another one starts afresh. */
  private resetInterview(): void {
    this.startCheck.reset();
    this.answerMode.reset();
    this.microphone.reset();
    this.textAnswer.reset();
    this.ending.dismiss();
  }

  private screen(): Screen {
    return screenFor(this.interview.state, this.interview.localError, this.interview.started);
  }

  // Microphone

  /** Try again, on the pre-check or the live screen, after the microphone was refused or lost. */
  private async retryMicrophone(deviceId?: string): Promise<void> {
    const control = this.keyboardFocus.focusedControl();
    await this.microphone.open(deviceId);
    await this.keyboardFocus.refocus(
      control,
      this.screen() === 'live'
        ? 'mute-button'
        : this.microphone.status === 'ready'
          ? 'device-select'
          : 'microphone-retry-button',
    );
  }

  private setAnswerByText(byText: boolean): void {
    const control = this.keyboardFocus.focusedControl();
    this.startCheck.clearProblem();
    this.answerMode.choose(byText);
    // Answering by voice again: `willUpdate()` opens the microphone for the pre-check. Either way the button
    // goes with its panel, and its counterpart in the new one takes the focus.
    void this.keyboardFocus.refocus(control, 'answer-mode-button');
  }

  // Rendering

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // The pre-check of a voice interview opens the microphone at once (the browser asks the candidate).
    if (this.screen() === 'pre-check' && this.answerMode.answersByVoice && this.microphone.status === 'off') {
      void this.microphone.open();
    }
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (this.interview.captions !== this.scrolledCaptions) {
      this.scrolledCaptions = this.interview.captions;
      this.scrollCaptions();
    }
  }

  private scrollCaptions(): void {
    const captions = this.shadowRoot?.querySelector<HTMLElement>('[part~="captions"]');
    if (captions) captions.scrollTop = captions.scrollHeight;
  }

  private renderScreen(screen: Screen): TemplateResult {
    const localize = this.localize;
    const session = this.session;
    switch (screen) {
      case 'loading':
        return renderLoading(localize.term('loading'));
      case 'starting':
        return renderLoading(localize.term('starting'));
      case 'pre-check':
        return renderPreCheck({
          localize,
          session: session!,
          resuming: session!.status === 'in_progress',
          voiceAllowed: this.answerMode.voiceAllowed,
          textAllowed: this.answerMode.textAllowed,
          answerByText: !this.answerMode.answersByVoice,
          microphone: this.microphone.status,
          microphones: this.microphone.devices,
          deviceId: this.microphone.deviceId,
          level: this.microphone.level,
          consentAccepted: this.startCheck.consentAccepted,
          problem: this.startCheck.problem,
          onConsent: (accepted) => this.startCheck.acceptConsent(accepted),
          onDevice: (deviceId) => void this.microphone.open(deviceId),
          onRetryMicrophone: () => void this.retryMicrophone(this.microphone.deviceId || undefined),
          onAnswerMode: (byText) => this.setAnswerByText(byText),
          onStart: () => void this.startCheck.click(),
        });
      case 'live':
        return renderLive({
          localize,
          session: session!,
          state: this.interview.state,
          captions: this.interview.captions,
          byVoice: this.answerMode.answeringByVoice,
          textAllowed: this.answerMode.textAllowed,
          level: this.microphone.level,
          draft: this.textAnswer.draft,
          sending: this.textAnswer.sending,
          confirmingEnd: this.ending.confirming,
          ending: this.ending.ending,
          onDraft: (text) => this.textAnswer.setDraft(text),
          onSend: () => void this.textAnswer.send(),
          onMute: () => this.mute(),
          onTypeInstead: () => this.answerMode.typeInstead(),
          onAskEnd: () => void this.ending.ask(),
          onCancelEnd: () => void this.ending.cancel(),
          onConfirmEnd: () => void this.ending.confirm(),
          onRetryMicrophone: () => void this.retryMicrophone(),
        });
      case 'completed':
        return renderCompleted(localize, session, this.interview.state.completion?.reason);
      case 'error':
        return renderError(localize, this.interview.localError ?? this.interview.state.error, () => {
          // A retry that fails again is told as `interview-error` and on this screen; its rejection is
          // nobody's to handle on the host page.
          this.client?.retry().catch(() => {});
        });
    }
  }

  protected override render(): TemplateResult {
    const screen = this.screen();
    // One labelled region: the widget is a landmark of the host page, never its banner or footer.
    const job = this.session?.job.title;
    return html`
      <div
        part="base"
        class="interview"
        role="region"
        aria-label=${job ? this.localize.term('regionLabelJob', { job }) : this.localize.term('regionLabel')}
        lang=${this.localize.langTag()}
        data-screen=${screen}
      >
        ${renderHeader(this.localize, this.slots, this.session)} ${renderReconnecting(this.localize, this.interview.state.status === 'reconnecting')}
        <div part="body" class="body">${this.renderScreen(screen)}</div>
        <div part="footer" class="footer" ?hidden=${!this.slots.has('footer')}>
          <slot name="footer"></slot>
        </div>
      </div>
    `;
  }
}
