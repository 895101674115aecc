import type { ReactiveControllerHost } from 'lit';
import type { Session } from '../client/types.ts';
import type { FocusController } from './focus.ts';
import type { MicrophoneCheckController } from './microphone-check.ts';
import { ReactiveState } from './reactive-state.ts';

/** The element, as far as answering goes: its `text-only` setting. */
export interface AnswerModeHost extends ReactiveControllerHost {
  textOnly: boolean;
}

/**
 * Whether the candidate answers by voice or by typing: what the session's answer modes and `text-only`
 * allow, what the candidate chose on the pre-check, and what the running interview uses. Switching to typing
 * closes the microphone.
 */
export class AnswerModeController {
  readonly #view: ReactiveState<{ byText: boolean; answeringByVoice: boolean }>;

  constructor(
    private readonly host: AnswerModeHost,
    private readonly session: () => Session | null,
    private readonly microphone: MicrophoneCheckController,
    private readonly focus: FocusController,
  ) {
    this.#view = new ReactiveState(host, { byText: false, answeringByVoice: false });
  }

  /** The candidate may answer by voice: the session accepts audio and the host did not set `text-only`. */
  get voiceAllowed(): boolean {
    return !this.host.textOnly && (this.session()?.answer_modes.includes('audio') ?? false);
  }

  /** The session accepts typed answers (or is not known yet). */
  get textAllowed(): boolean {
    return this.session()?.answer_modes.includes('text') ?? true;
  }

  /** The candidate would answer by voice: it is allowed, and they did not choose typing where it is too. */
  get answersByVoice(): boolean {
    return this.voiceAllowed && (!this.#view.value.byText || !this.textAllowed);
  }

  /** The running interview is answered by voice. */
  get answeringByVoice(): boolean {
    return this.#view.value.answeringByVoice;
  }

  /** The candidate's choice on the pre-check. */
  choose(byText: boolean): void {
    this.#view.set({ byText });
    if (byText) this.microphone.close();
  }

  /** The interview starts, in the mode chosen. */
  begin(): void {
    this.#view.set({ answeringByVoice: this.answersByVoice });
  }

  /** Switches a voice interview to typing; the answer box takes the focus when `focus` says so. */
  typeInstead(focus = true): void {
    this.#view.set({ answeringByVoice: false, byText: true });
    this.microphone.close();
    if (focus) this.host.updateComplete.then(() => this.focus.focusPart('answer-input'));
  }

  reset(): void {
    this.#view.set({ byText: false, answeringByVoice: false });
  }
}
