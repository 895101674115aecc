import type { Logger } from 'pino';
import { longestAnswerSamples, type SpokenAnswer } from './spoken-answer.ts';

/** An answer taken out to be committed, and the `state` events seen when it was. */
export interface TakenAnswer {
  readonly answer: SpokenAnswer;
  readonly atState: number;
}

/** An answer waiting for the candidate's turn. */
interface HeldAnswer {
  answer: SpokenAnswer;
  /** It goes only on a `state` later than this one (counted in `#states`): the ones up to it are stale. */
  afterState: number;
}

/**
 * What the candidate said, held until it is their turn at the question it answers, as the widget's answer
 * queue waits: an utterance may end while the question's commit (or an earlier answer's) is still on its way.
 * One answer is held at a time: utterances to the same question are joined, up to the longest answer the
 * platform takes (see longestAnswerSamples), and one to an earlier question is stale once the candidate
 * speaks to a later one. The agent tells it the session's events and commits what `take` gives it.
 */
export class HeldAnswers {
  readonly #log: Logger;
  /** `state` events seen so far. */
  #states = 0;
  #held: HeldAnswer | null = null;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** A `state` event arrived. */
  stateSeen(): void {
    this.#states += 1;
  }

  /** An utterance ended: whenever that is, it waits for the candidate's turn at the question it answers. */
  utterance(answer: SpokenAnswer): void {
    this.#hold(answer, -1);
  }

  /** Interviewer turn `turnId` is done (committed): what is held for another turn is not an answer to it. */
  interviewerTurnDone(turnId: string): void {
    if (this.#held && this.#held.answer.turnId !== turnId) {
      // Said before this turn began, to one that broke off or was answered already: not an answer to it.
      this.#drop('the candidate spoke before this interviewer turn: not taken as an answer');
    }
  }

  /** The interview is over: nothing held is an answer any more. */
  interviewOver(): void {
    this.#drop('the interview is over: an utterance was not taken as an answer');
  }

  /**
   * Takes the held answer to be committed, if its time has come. Asked when the candidate has the turn and
   * no answer is being committed; `latestTurnId` is the interviewer turn it must answer (one said to another
   * turn is dropped).
   */
  take(latestTurnId: string | null): TakenAnswer | null {
    const held = this.#held;
    if (!held || this.#states <= held.afterState) return null;
    if (held.answer.turnId !== latestTurnId) {
      this.#drop('the candidate spoke before this interviewer turn: not taken as an answer');
      return null;
    }
    this.#held = null;
    return { answer: held.answer, atState: this.#states };
  }

  /**
   * The answer taken was committed: the candidate's turn is over, and what they said meanwhile waits for a
   * `state` after this answer's.
   */
  committed(): void {
    if (this.#held) this.#held.afterState = Math.max(this.#held.afterState, this.#states);
  }

  /**
   * `taken` was refused as not the candidate's turn after all (the events lagged): it waits for a `state`
   * newer than the request, ahead of anything said since.
   */
  notTheirTurn(taken: TakenAnswer): void {
    const later = this.#held;
    this.#held = null;
    this.#hold(taken.answer, taken.atState);
    if (later) this.#hold(later.answer, later.afterState);
  }

  /**
   * Keeps `answer` for the candidate's turn, after what is held already for the same question (the candidate
   * said it in more than one go); what is held for an earlier question is stale and goes.
   */
  #hold(answer: SpokenAnswer, afterState: number): void {
    const held = this.#held;
    if (held && held.answer.turnId === answer.turnId) {
      held.answer = this.#withinLimit(held.answer, answer);
      held.afterState = Math.max(held.afterState, afterState);
      return;
    }
    if (held) this.#drop('the candidate spoke again, to a later question: the earlier utterance is dropped');
    this.#held = { answer: this.#withinLimit(null, answer), afterState };
  }

  /**
   * `first` (if any) and then `then` as one answer, in the order they were said, cut at the longest answer
   * the platform takes: what the candidate says past it is not part of the answer, as an upload past it is
   * refused.
   */
  #withinLimit(first: SpokenAnswer | null, then: SpokenAnswer): SpokenAnswer {
    const before = first?.audio.length ?? 0;
    const room = Math.max(0, longestAnswerSamples(then.sampleRate) - before);
    if (first === null && then.audio.length <= room) return then;
    const kept = Math.min(then.audio.length, room);
    if (kept < then.audio.length) {
      const droppedMs = Math.round(((then.audio.length - kept) / then.sampleRate) * 1000);
      this.#log.warn(
        { turn_id: then.turnId, dropped_ms: droppedMs },
        'the candidate spoke past the longest answer taken: the rest is not part of the answer',
      );
    }
    const audio = new Int16Array(before + kept);
    if (first) audio.set(first.audio);
    audio.set(then.audio.subarray(0, kept), before);
    return { ...(first ?? then), audio };
  }

  #drop(why: string): void {
    if (!this.#held) return;
    this.#log.info({ turn_id: this.#held.answer.turnId }, why);
    this.#held = null;
  }
}
