import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { isSecretKey, secretKeyError, secretKeyWarning } from '../client/secret-key.ts';
import type {
  InterviewError,
  InterviewErrorCode,
  InterviewState,
  Session,
  TranscriptEntry,
} from '../client/types.ts';
import styles from './ai-interview.styles.ts';
import { createInterviewClient } from './client-factory.ts';
import { emit } from './events.ts';
import { HasSlotController } from './has-slot.ts';
import { type InterviewClientFactory, type InterviewClientLike, listen } from './interview-client-like.ts';
import { LocalizeController } from './localize.ts';
import { renderCompleted } from './screens/completed.ts';
import { cannotCaptureVoice, isMicrophoneProblem, renderError } from './screens/error.ts';
import { renderLive } from './screens/live.ts';
import { renderLoading } from './screens/loading.ts';
import { type MicrophoneStatus, renderPreCheck, type StartProblem } from './screens/pre-check.ts';
import { renderReconnecting } from './screens/reconnecting.ts';
import type { InterviewStrings } from './strings/en.ts';
import { watch } from './watch.ts';

type Screen = 'loading' | 'starting' | 'pre-check' | 'live' | 'completed' | 'error';

const idleState: InterviewState = {
  status: 'idle',
  session: null,
  turn: 'none',
  questionIndex: 0,
  questionCount: 0,
  timeLeftSeconds: null,
  speaking: null,
  listening: false,
  transport: null,
  muted: false,
  pendingAnswers: 0,
  error: null,
  completion: null,
};

/**
 * Reads a failure of `openMicrophone()`: refused (by the candidate or the browser), no device, or no way to
 * capture audio on this page at all (the client says so by making it not retryable).
 */
function microphoneFailure(error: unknown): 'denied' | 'unavailable' | 'unsupported' {
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (cannotCaptureVoice(error as { code?: unknown; retryable?: unknown } | null)) return 'unsupported';
  if (code === 'microphone_unavailable' || name === 'NotFoundError' || name === 'OverconstrainedError') {
    return 'unavailable';
  }
  return 'denied';
}

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
 * @cssproperty [--ai-interview-font-size=1rem] - The base font size.
 * @cssproperty [--ai-interview-radius=0.75rem] - Corner radius of the frame, panels and buttons.
 * @cssproperty [--ai-interview-spacing=1rem] - The base spacing unit.
 * @cssproperty [--ai-interview-max-width=44rem] - The widest the widget grows; it centres in wider hosts.
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

  /** The silence, in milliseconds, that ends a spoken answer. Default 1800. */
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

  @state() private interviewState: InterviewState = idleState;
  @state() private captions: readonly TranscriptEntry[] = [];
  @state() private localError: InterviewError | null = null;
  @state() private consentAccepted = false;
  @state() private answerByText = false;
  @state() private microphone: MicrophoneStatus = 'off';
  @state() private microphones: readonly MediaDeviceInfo[] = [];
  @state() private deviceId = '';
  @state() private level = 0;
  @state() private startProblem: StartProblem = null;
  @state() private answeringByVoice = false;
  @state() private draft = '';
  @state() private sending = false;
  @state() private confirmingEnd = false;
  @state() private endRequested = false;

  private client: InterviewClientLike | null = null;
  private clientKey = '';
  private stopListening: Array<() => void> = [];
  private startedEmitted = false;
  private readyEmitted = false;
  private renderedScreen: Screen | null = null;
  private focusWasInside = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.connectClient();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Moving the element in the page disconnects and reconnects it at once: keep the interview then.
    queueMicrotask(() => {
      if (!this.isConnected) this.disconnectClient();
    });
  }

  /**
   * Starts the interview, as the Start button does. It needs the candidate's acceptance of the recording
   * notice (unless the interview is being resumed) and, for a voice interview, a working microphone;
   * without them it shows what is missing and rejects.
   */
  async start(): Promise<void> {
    const problem = this.checkStart();
    if (problem) {
      this.startProblem = problem;
      throw new Error(problem === 'consent' ? 'The recording notice is not accepted.' : 'No microphone.');
    }
    await this.startInterview();
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
    this.client?.setMuted(muted ?? !this.interviewState.muted);
  }

  @watch(['sessionToken', 'apiBase', 'silenceMs', 'transport'])
  protected handleSessionChange(): void {
    if (this.isConnected) this.connectClient();
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
    if (this.answeringByVoice) this.typeInstead(this.focusedControl() !== null);
    else if (this.microphone !== 'off') this.closeMicrophone();
  }

  private get session(): Session | null {
    return this.interviewState.session;
  }

  private get voiceAllowed(): boolean {
    return !this.textOnly && (this.session?.answer_modes.includes('audio') ?? false);
  }

  private get textAllowed(): boolean {
    return this.session?.answer_modes.includes('text') ?? true;
  }

  private get answersByVoice(): boolean {
    return this.voiceAllowed && (!this.answerByText || !this.textAllowed);
  }

  private connectClient(): void {
    // Removing the attribute makes the property null, and frameworks set null or undefined for "no token":
    // either means no session, like ''.
    const token = typeof this.sessionToken === 'string' ? this.sessionToken.trim() : '';
    const apiBase = (this.apiBase || globalThis.location.origin).replace(/\/+$/, '');
    const transport = this.transport === 'http' ? 'http' : 'auto';
    const key = `${token}\n${apiBase}\n${this.silenceMs ?? ''}\n${transport}`;
    if (key === this.clientKey && (this.client || this.localError)) return;
    this.disconnectClient();
    this.clientKey = key;
    if (!token) return;
    if (isSecretKey(token)) {
      // Refused here too, as the client refuses it, so a replaced `createClient` cannot send it anywhere.
      console.error(secretKeyWarning);
      this.fail(secretKeyError().toInterviewError());
      return;
    }
    const client = (this.constructor as typeof AiInterview).createClient({
      sessionToken: token,
      apiBase,
      ...(this.silenceMs ? { silenceMs: this.silenceMs } : {}),
      transport,
    });
    this.client = client;
    this.interviewState = client.state;
    this.stopListening = [
      listen(client, 'state', (detail) => this.handleState(detail)),
      listen(client, 'transcript', (entry) => {
        this.captions = [...client.transcript];
        emit(this, 'interview-transcript', entry);
      }),
      listen(client, 'completed', (detail) => emit(this, 'interview-completed', detail)),
      listen(client, 'error', (detail) => emit(this, 'interview-error', detail)),
      listen(client, 'level', (level) => {
        this.level = level;
      }),
    ];
    client.load().catch(() => {
      // Reflected in the client's state (status `error`), and dispatched as `error`; `interview-ready`
      // follows the first `ready` state, after a retry as well.
    });
  }

  private disconnectClient(): void {
    for (const stop of this.stopListening) stop();
    this.stopListening = [];
    this.client?.close();
    this.client = null;
    this.clientKey = '';
    this.interviewState = idleState;
    this.captions = [];
    this.localError = null;
    this.consentAccepted = false;
    this.answerByText = false;
    this.microphone = 'off';
    this.microphones = [];
    this.deviceId = '';
    this.level = 0;
    this.startProblem = null;
    this.answeringByVoice = false;
    this.draft = '';
    this.sending = false;
    this.confirmingEnd = false;
    this.startedEmitted = false;
    this.readyEmitted = false;
  }

  private fail(error: InterviewError): void {
    this.localError = error;
    emit(this, 'interview-error', error);
  }

  private handleState(state: InterviewState): void {
    this.interviewState = state;
    emit(this, 'interview-state', state);
    if (state.status === 'ready' && !this.readyEmitted && state.session) {
      this.readyEmitted = true;
      emit(this, 'interview-ready', state.session);
    }
    if (state.status === 'live' && !this.startedEmitted && state.session) {
      this.startedEmitted = true;
      emit(this, 'interview-started', { interviewId: state.session.interview_id });
    }
    if (state.status === 'completed' || state.status === 'error') this.confirmingEnd = false;
  }

  private screen(): Screen {
    if (this.localError) return 'error';
    const { status, session, error } = this.interviewState;
    switch (status) {
      case 'idle':
      case 'loading':
        return 'loading';
      case 'ready':
        return session ? 'pre-check' : 'loading';
      case 'connecting':
        return 'starting';
      case 'live':
      case 'reconnecting':
        return session ? 'live' : 'starting';
      case 'completed':
        return 'completed';
      default:
        // A refused microphone before the start is answered on the pre-check screen, with its help text.
        if (error && isMicrophoneProblem(error.code) && session && !this.startedEmitted) return 'pre-check';
        return 'error';
    }
  }

  // Microphone

  private async openMicrophone(deviceId?: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    // Another device chosen in the picker: the picker stays while it opens, so the candidate's focus does.
    if (this.microphone === 'ready' && deviceId) this.deviceId = deviceId;
    else this.microphone = 'requesting';
    try {
      await client.openMicrophone(deviceId);
      if (client !== this.client || !this.answersByVoice) return;
      this.microphones = await client.listMicrophones();
      this.deviceId = deviceId ?? this.microphones[0]?.deviceId ?? '';
      this.microphone = 'ready';
      if (this.startProblem === 'microphone') this.startProblem = null;
    } catch (error) {
      if (client === this.client) this.microphone = microphoneFailure(error);
    }
  }

  /** Try again, on the pre-check or the live screen, after the microphone was refused or lost. */
  private async retryMicrophone(deviceId?: string): Promise<void> {
    const control = this.focusedControl();
    await this.openMicrophone(deviceId);
    await this.refocus(
      control,
      this.screen() === 'live'
        ? 'mute-button'
        : this.microphone === 'ready'
          ? 'device-select'
          : 'microphone-retry-button',
    );
  }

  private closeMicrophone(): void {
    this.client?.closeMicrophone();
    this.microphone = 'off';
    this.level = 0;
  }

  private setAnswerByText(byText: boolean): void {
    const control = this.focusedControl();
    this.answerByText = byText;
    this.startProblem = null;
    if (byText) this.closeMicrophone();
    // Answering by voice again: `willUpdate()` opens the microphone for the pre-check. Either way the button
    // goes with its panel, and its counterpart in the new one takes the focus.
    void this.refocus(control, 'answer-mode-button');
  }

  // Start

  private checkStart(): StartProblem {
    const resuming = this.session?.status === 'in_progress';
    if (!resuming && !this.consentAccepted) return 'consent';
    if (this.answersByVoice && this.microphone !== 'ready') return 'microphone';
    return null;
  }

  private async handleStartClick(): Promise<void> {
    this.startProblem = this.checkStart();
    if (!this.startProblem) {
      await this.startInterview();
      return;
    }
    await this.updateComplete;
    if (this.startProblem === 'consent') this.focusPart('consent-checkbox');
  }

  private async startInterview(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.startProblem = null;
    this.answeringByVoice = this.answersByVoice;
    try {
      await client.start({ voice: this.answeringByVoice });
    } catch (error) {
      // Reflected in the client's state and dispatched as `error`. A microphone that failed at the start
      // (a headset gone since the check) is answered on the pre-check, with its help and Try again.
      const code = (error as { code?: InterviewErrorCode } | null)?.code;
      if (client === this.client && code && isMicrophoneProblem(code)) {
        this.microphone = microphoneFailure(error);
      }
    }
  }

  // Live

  private async sendAnswer(): Promise<void> {
    const client = this.client;
    const text = this.draft.trim();
    if (!client || !text || this.sending) return;
    this.sending = true;
    try {
      await client.sendText(text);
      if (client === this.client && this.draft.trim() === text) this.draft = '';
    } catch {
      // The draft stays, to send again; the client reports the failure.
    } finally {
      this.sending = false;
    }
  }

  private typeInstead(focus = true): void {
    this.answeringByVoice = false;
    this.answerByText = true;
    this.closeMicrophone();
    if (focus) this.updateComplete.then(() => this.focusPart('answer-input'));
  }

  private async askEnd(): Promise<void> {
    this.confirmingEnd = true;
    await this.updateComplete;
    this.focusPart('end-cancel-button');
  }

  private async cancelEnd(): Promise<void> {
    this.confirmingEnd = false;
    await this.updateComplete;
    this.focusPart('end-button');
  }

  private async confirmEnd(): Promise<void> {
    // A second click while the first is under way asks nothing new of the host.
    if (this.endRequested) return;
    const interviewId = this.session?.interview_id ?? '';
    const allowed = emit(this, 'interview-end-request', { interviewId }, { cancelable: true });
    if (!allowed) {
      await this.cancelEnd();
      return;
    }
    this.endRequested = true;
    try {
      await this.end();
    } catch {
      // The client reports the failure as its error, which the live screen shows.
    } finally {
      this.endRequested = false;
    }
  }

  // Rendering

  private focusPart(part: string): void {
    this.shadowRoot?.querySelector<HTMLElement>(`[part~="${part}"]`)?.focus();
  }

  /** The control focused inside the widget, if any. */
  private focusedControl(): Element | null {
    return this.shadowRoot?.activeElement ?? null;
  }

  /**
   * Once the update is done: if `control` had the focus and re-rendered away (focus fell to the page's
   * body), `part` takes it, so a keyboard or screen reader user keeps their place.
   */
  private async refocus(control: Element | null, part: string): Promise<void> {
    await this.updateComplete;
    if (control && !control.isConnected && !this.focusedControl()) this.focusPart(part);
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    this.focusWasInside = this.shadowRoot?.activeElement != null;
    // The pre-check of a voice interview opens the microphone at once (the browser asks the candidate).
    if (this.screen() === 'pre-check' && this.answersByVoice && this.microphone === 'off') {
      void this.openMicrophone();
    }
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const screen = this.screen();
    if (screen !== this.renderedScreen) {
      const previous = this.renderedScreen;
      this.renderedScreen = screen;
      // Follow the candidate to the next screen, without stealing focus from the host page.
      if (previous && this.focusWasInside) {
        const target = this.shadowRoot?.querySelector<HTMLElement>('[data-autofocus]');
        target?.focus();
        if (this.shadowRoot?.activeElement !== target) {
          this.shadowRoot?.querySelector<HTMLElement>('.body > .screen')?.focus();
        }
      }
    }
    if (changed.has('captions')) this.scrollCaptions();
  }

  private scrollCaptions(): void {
    const captions = this.shadowRoot?.querySelector<HTMLElement>('[part~="captions"]');
    if (captions) captions.scrollTop = captions.scrollHeight;
  }

  private renderHeader(): TemplateResult {
    const session = this.session;
    const logoUrl = session?.company.logo_url;
    const showLogo = this.slots.has('logo') || Boolean(logoUrl);
    return html`
      <div part="header" class="header" ?hidden=${!session && !this.slots.has('header') && !this.slots.has('logo')}>
        <slot name="header">
          <span part="logo" class="logo" ?hidden=${!showLogo}>
            <slot name="logo">
              ${
                logoUrl && session
                  ? html`<img src=${logoUrl} alt=${this.localize.term('companyLogo', { company: session.company.name })} />`
                  : nothing
              }
            </slot>
          </span>
          <div part="title" class="title">
            <span class="title__job">${session?.job.title ?? ''}</span>
            <span class="title__company">${session?.company.name ?? ''}</span>
          </div>
        </slot>
      </div>
    `;
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
          voiceAllowed: this.voiceAllowed,
          textAllowed: this.textAllowed,
          answerByText: !this.answersByVoice,
          microphone: this.microphone,
          microphones: this.microphones,
          deviceId: this.deviceId,
          level: this.level,
          consentAccepted: this.consentAccepted,
          problem: this.startProblem,
          onConsent: (accepted) => {
            this.consentAccepted = accepted;
            if (accepted && this.startProblem === 'consent') this.startProblem = null;
          },
          onDevice: (deviceId) => void this.openMicrophone(deviceId),
          onRetryMicrophone: () => void this.retryMicrophone(this.deviceId || undefined),
          onAnswerMode: (byText) => this.setAnswerByText(byText),
          onStart: () => void this.handleStartClick(),
        });
      case 'live':
        return renderLive({
          localize,
          session: session!,
          state: this.interviewState,
          captions: this.captions,
          byVoice: this.answeringByVoice,
          textAllowed: this.textAllowed,
          level: this.level,
          draft: this.draft,
          sending: this.sending,
          confirmingEnd: this.confirmingEnd,
          ending: this.endRequested,
          onDraft: (text) => {
            this.draft = text;
          },
          onSend: () => void this.sendAnswer(),
          onMute: () => this.mute(),
          onTypeInstead: () => this.typeInstead(),
          onAskEnd: () => void this.askEnd(),
          onCancelEnd: () => void this.cancelEnd(),
          onConfirmEnd: () => void this.confirmEnd(),
          onRetryMicrophone: () => void this.retryMicrophone(),
        });
      case 'completed':
        return renderCompleted(localize, session, this.interviewState.completion?.reason);
      case 'error':
        return renderError(localize, this.localError ?? this.interviewState.error, () => {
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
        lang=${this.localize.lang()}
        data-screen=${screen}
      >
        ${this.renderHeader()} ${renderReconnecting(this.localize, this.interviewState.status === 'reconnecting')}
        <div part="body" class="body">${this.renderScreen(screen)}</div>
        <div part="footer" class="footer" ?hidden=${!this.slots.has('footer')}>
          <slot name="footer"></slot>
        </div>
      </div>
    `;
  }
}
