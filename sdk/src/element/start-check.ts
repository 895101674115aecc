import type { ReactiveControllerHost } from 'lit';
import type { InterviewErrorCode, Session } from '../client/types.ts';
import type { AnswerModeController } from './answer-mode.ts';
import type { FocusController } from './focus.ts';
import type { InterviewClientLike } from './interview-client-like.ts';
import type { MicrophoneCheckController } from './microphone-check.ts';
import { ReactiveState } from './reactive-state.ts';
import { isMicrophoneProblem } from './screens/error.ts';
import type { StartProblem } from './screens/pre-check.ts';

export interface StartCheckOptions {
  /** The element's client, read afresh after the start: it may have been replaced meanwhile. */
  client(): InterviewClientLike | null;
  session(): Session | null;
  answerMode: AnswerModeController;
  microphone: MicrophoneCheckController;
  focus: FocusController;
}

/**
 * What Start needs: the candidate's acceptance of the recording notice (unless the interview is being
 * resumed) and, for a voice interview, a working microphone. What is missing shows on the pre-check
 * (`problem`) until it is put right; with nothing missing, the interview starts in the chosen answer mode.
 */
export class StartCheckController {
  readonly #view: ReactiveState<{ consentAccepted: boolean; problem: StartProblem }>;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: StartCheckOptions,
  ) {
    this.#view = new ReactiveState(host, { consentAccepted: false, problem: null });
  }

  get consentAccepted(): boolean {
    return this.#view.value.consentAccepted;
  }

  /** What kept the last Start from starting, while it is still missing. */
  get problem(): StartProblem {
    return this.#view.value.problem;
  }

  /** The element's `start()`: rejects, and shows what is missing, if anything is. */
  async start(): Promise<void> {
    const problem = this.#check();
    if (problem) {
      this.#view.set({ problem });
      throw new Error(problem === 'consent' ? 'The recording notice is not accepted.' : 'No microphone.');
    }
    await this.#startInterview();
  }

  /** The Start button: what is missing shows, and the consent checkbox takes the focus when it is that. */
  async click(): Promise<void> {
    this.#view.set({ problem: this.#check() });
    if (!this.problem) {
      await this.#startInterview();
      return;
    }
    await this.host.updateComplete;
    if (this.problem === 'consent') this.options.focus.focusPart('consent-checkbox');
  }

  acceptConsent(accepted: boolean): void {
    this.#view.set({ consentAccepted: accepted });
    if (accepted && this.problem === 'consent') this.#view.set({ problem: null });
  }

  /** The microphone works now: a start it held back may go. */
  microphoneReady(): void {
    if (this.problem === 'microphone') this.#view.set({ problem: null });
  }

  /** The candidate changed how they answer: what the last Start missed may no longer be needed. */
  clearProblem(): void {
    this.#view.set({ problem: null });
  }

  reset(): void {
    this.#view.set({ consentAccepted: false, problem: null });
  }

  #check(): StartProblem {
    const resuming = this.options.session()?.status === 'in_progress';
    if (!resuming && !this.consentAccepted) return 'consent';
    if (this.options.answerMode.answersByVoice && this.options.microphone.status !== 'ready')
      return 'microphone';
    return null;
  }

  async #startInterview(): Promise<void> {
    const { answerMode, microphone } = this.options;
    const client = this.options.client();
    if (!client) return;
    this.#view.set({ problem: null });
    answerMode.begin();
    try {
      await client.start({ voice: answerMode.answeringByVoice });
    } catch (error) {
      // Reflected in the client's state and dispatched as `error`. A microphone that failed at the start
      // (a headset gone since the check) is answered on the pre-check, with its help and Try again.
      const code = (error as { code?: InterviewErrorCode } | null)?.code;
      if (client === this.options.client() && code && isMicrophoneProblem(code)) {
        microphone.failed(error);
      }
    }
  }
}
