import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';
import { recordInterruption } from '../transcripts/interruptions.ts';

export interface BargeInsOptions {
  orm: Orm;
  interviewId: string;
  logger: Logger;
}

/**
 * Records each time the candidate talked over the interviewer on the turn they cut off, with how much of it
 * the room heard. A turn is spoken as its text streams in, so it may not be in the transcript yet.
 */
export class BargeIns {
  readonly #o: BargeInsOptions;
  /** A barge-in on a turn not yet in the transcript: recorded once its `interviewer.done` arrives. */
  #pending: { turnId: string; heardMs: number } | null = null;

  constructor(options: BargeInsOptions) {
    this.#o = options;
  }

  /** The candidate cut off turn `turnId` after `heardMs` of it; `done`: its `interviewer.done` arrived. */
  interrupted(turnId: string, heardMs: number, done: boolean): void {
    if (done) void this.#record(turnId, heardMs);
    else this.#pending = { turnId, heardMs };
  }

  /** Interviewer turn `turnId` is done: it is in the transcript. */
  interviewerTurnDone(turnId: string): void {
    if (this.#pending?.turnId === turnId) {
      const { heardMs } = this.#pending;
      this.#pending = null;
      void this.#record(turnId, heardMs);
    } else if (this.#pending) {
      // Its turn broke off and was never committed: there is nothing to record it on.
      this.#pending = null;
    }
  }

  async #record(turnId: string, heardMs: number): Promise<void> {
    const log = this.#o.logger;
    try {
      await recordInterruption(this.#o.orm.em.fork(), this.#o.interviewId, turnId, heardMs);
      log.info({ turn_id: turnId, heard_ms: heardMs }, 'the candidate interrupted the interviewer');
    } catch (err) {
      log.warn({ err, turn_id: turnId }, 'could not record the interruption');
    }
  }
}
