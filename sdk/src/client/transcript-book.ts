import type { TranscriptEntry } from './types.ts';

/**
 * The captions of an interview, one entry per turn, built from the events: an interviewer turn grows with
 * each `interviewer.delta` and is replaced by the full text at `interviewer.done`; a candidate turn is
 * replaced by each `candidate.transcript` (interim, then final). Entries keep the order in which their turns
 * first appeared. Over LiveKit, the agent's interim captions of what the candidate is saying come before the
 * turn has an id: they hold a provisional entry, which the turn's first transcript takes over. An interviewer
 * turn that never got its `interviewer.done` (the model failed mid-turn) goes when the next interviewer turn
 * starts.
 */
export class TranscriptBook {
  readonly #entries: TranscriptEntry[] = [];
  readonly #index = new Map<string, number>();
  #snapshot: readonly TranscriptEntry[] = Object.freeze([]);
  /** The provisional entry's key, while the candidate's words have no turn yet. */
  #partial: string | null = null;
  #partials = 0;
  /** After the candidate's final transcript, late interim captions are stale until the interviewer speaks. */
  #answered = false;

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
    if (!entry) this.#interviewerTurn();
    return this.#put({ turnId, speaker: 'interviewer', text: (entry?.text ?? '') + text, final: false });
  }

  /** The interviewer's turn is complete: its text is the whole turn. */
  interviewerDone(turnId: string, text: string): TranscriptEntry {
    if (!this.get(turnId)) this.#interviewerTurn();
    return this.#put({ turnId, speaker: 'interviewer', text, final: true });
  }

  /** The candidate's answer as transcribed; an interim text after the final one is ignored. */
  candidate(turnId: string, text: string, final: boolean): TranscriptEntry | null {
    if (!final && this.get(turnId)?.final) return null;
    const partialAt = this.#partial === null ? undefined : this.#index.get(this.#partial);
    if (partialAt !== undefined && !this.#index.has(turnId)) {
      this.#index.delete(this.#partial!);
      this.#index.set(turnId, partialAt);
      this.#partial = null;
    }
    if (final) this.#answered = true;
    return this.#put({ turnId, speaker: 'candidate', text, final });
  }

  /** What the candidate is saying, as the agent hears it, before the turn exists; null when stale or empty. */
  candidatePartial(text: string): TranscriptEntry | null {
    if (this.#answered || text.trim() === '') return null;
    this.#partial ??= `partial_${++this.#partials}`;
    return this.#put({ turnId: this.#partial, speaker: 'candidate', text, final: false });
  }

  /**
   * A new interviewer turn: an interim caption no answer came of (a cough, a word to oneself) goes, and so
   * does an interviewer turn left unfinished. Dropped, not made final: the platform tries a failed turn
   * again whole, under a new id, so its first words would be read twice, and the transcript never has it.
   */
  #interviewerTurn(): void {
    this.#answered = false;
    const partial = this.#partial;
    this.#partial = null;
    const kept = this.#entries.filter(
      (entry) => entry.turnId !== partial && (entry.speaker !== 'interviewer' || entry.final),
    );
    if (kept.length === this.#entries.length) return;
    this.#entries.splice(0, this.#entries.length, ...kept);
    this.#index.clear();
    for (const [i, entry] of this.#entries.entries()) this.#index.set(entry.turnId, i);
    this.#snapshot = Object.freeze([...this.#entries]);
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
