import type { TranscriptEntry } from './types.ts';

/**
 * The captions of an interview, one entry per turn, built from the events: an interviewer turn grows with
 * each `interviewer.delta` and is replaced by the full text at `interviewer.done`; a candidate turn is
 * replaced by each `candidate.transcript` (interim, then final). Entries keep the order in which their turns
 * first appeared.
 */
export class TranscriptBook {
  readonly #entries: TranscriptEntry[] = [];
  readonly #index = new Map<string, number>();
  #snapshot: readonly TranscriptEntry[] = Object.freeze([]);

  /** Every entry so far, frozen. */
  get entries(): readonly TranscriptEntry[] {
    return this.#snapshot;
  }

  /** The entry of this turn, if there is one. */
  get(turnId: string): TranscriptEntry | undefined {
    const at = this.#index.get(turnId);
    return at === undefined ? undefined : this.#entries[at];
  }

  /** Appends a piece of the interviewer's text; a delta after the turn is final is stale and ignored. */
  interviewerDelta(turnId: string, text: string): TranscriptEntry | null {
    const entry = this.get(turnId);
    if (entry?.final) return null;
    return this.#put({ turnId, speaker: 'interviewer', text: (entry?.text ?? '') + text, final: false });
  }

  /** The interviewer's turn is complete: its text is the whole turn. */
  interviewerDone(turnId: string, text: string): TranscriptEntry {
    return this.#put({ turnId, speaker: 'interviewer', text, final: true });
  }

  /** The candidate's answer as transcribed; an interim text after the final one is ignored. */
  candidate(turnId: string, text: string, final: boolean): TranscriptEntry | null {
    if (!final && this.get(turnId)?.final) return null;
    return this.#put({ turnId, speaker: 'candidate', text, final });
  }

  #put(entry: TranscriptEntry): TranscriptEntry {
    const frozen = Object.freeze(entry);
    const at = this.#index.get(entry.turnId);
    if (at === undefined) {
      this.#index.set(entry.turnId, this.#entries.length);
      this.#entries.push(frozen);
    } else {
      this.#entries[at] = frozen;
    }
    this.#snapshot = Object.freeze([...this.#entries]);
    return frozen;
  }
}
