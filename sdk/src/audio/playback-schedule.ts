/**
 * Where on the audio clock each piece of the interviewer's speech plays: pure arithmetic over
 * `AudioContext.currentTime` seconds, kept apart from Web Audio so it can be tested as numbers.
 *
 * A piece starts where the one before it ends, so a turn plays without gaps. If the next piece arrives
 * late (the previous one has already finished), it starts a little ahead of now (`leadSeconds`), since a
 * source started in the past would be cut at its beginning.
 */
export interface ScheduledPiece {
  turnId: string;
  start: number;
  end: number;
}

export class PlaybackSchedule {
  readonly #leadSeconds: number;
  #pieces: ScheduledPiece[] = [];
  #cursor = 0;

  constructor(leadSeconds = 0.05) {
    this.#leadSeconds = leadSeconds;
  }

  /** When everything scheduled has played. */
  get endsAt(): number {
    return this.#cursor;
  }

  /** Every piece scheduled since the last `clear`. */
  get pieces(): readonly ScheduledPiece[] {
    return this.#pieces;
  }

  /** Schedules a piece of `durationSeconds` of this turn; returns when it starts. */
  place(turnId: string, durationSeconds: number, now: number): number {
    const start = Math.max(this.#cursor, now + this.#leadSeconds);
    const end = start + durationSeconds;
    this.#pieces.push({ turnId, start, end });
    this.#cursor = end;
    return start;
  }

  /** Whether something scheduled is still to be heard at `now`. */
  isPlaying(now: number): boolean {
    return now < this.#cursor;
  }

  /** How much of a turn's audio has been heard by `now`, in seconds (gaps between late pieces not counted). */
  heardSeconds(turnId: string, now: number): number {
    let heard = 0;
    for (const piece of this.#pieces) {
      if (piece.turnId !== turnId) continue;
      heard += Math.max(0, Math.min(now, piece.end) - piece.start);
    }
    return heard;
  }

  /** The turn being heard at `now`: the last one to have started (or, before anything plays, the first). */
  turnAt(now: number): string | null {
    let current: string | null = this.#pieces[0]?.turnId ?? null;
    for (const piece of this.#pieces) if (piece.start <= now) current = piece.turnId;
    return current;
  }

  /** Forgets every piece (after a stop): the next one starts from now. */
  clear(): void {
    this.#pieces = [];
    this.#cursor = 0;
  }
}
