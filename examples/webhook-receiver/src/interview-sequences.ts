/**
 * Each event about an interview carries `sequence` (1, 2, 3, … in the order its changes were committed).
 * Viva delivers one interview's events in that order, but a manual retry or a recovery can re-send an
 * older one after newer ones were handled. This remembers the highest sequence handled per interview, so
 * such an event can be recognised and kept from rolling newer state back.
 *
 * In production this is a column on your own interview row, updated in the transaction that handles the
 * event; a Map is enough for an example.
 */
export class InterviewSequences {
  readonly #highest = new Map<string, number>();

  /** The highest sequence handled for the interview, if any. */
  highest(interviewId: string): number | undefined {
    return this.#highest.get(interviewId);
  }

  /** Records that an event of the interview was handled. */
  handled(interviewId: string, sequence: number): void {
    this.#highest.set(interviewId, Math.max(sequence, this.#highest.get(interviewId) ?? 0));
  }
}
