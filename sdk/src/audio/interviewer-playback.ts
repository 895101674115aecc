import { PlaybackSchedule } from './playback-schedule.ts';
import { createSpeechDecoder, type SpeechDecoder, type SpeechFormat } from './speech-decoder.ts';

// How far ahead of now a piece that cannot follow another is started (see PlaybackSchedule).
const leadSeconds = 0.05;

export interface InterviewerPlaybackOptions {
  context: AudioContext;
  /** The interviewer's voice started or stopped being heard. */
  onPlayingChange(playing: boolean): void;
}

/** What an interruption cut short: the turn, and how much of its audio the candidate had heard. */
export interface InterruptedTurn {
  turnId: string;
  heardMs: number;
}

interface TurnAudio {
  decoder: SpeechDecoder;
  format: SpeechFormat;
  /** Its `interviewer.done` came: all of its audio is here. */
  done: boolean;
}

/**
 * The interviewer's voice: each turn's `interviewer.audio` pieces decoded in order and played back to back on
 * the context's clock, while more are still arriving. `interrupt()` silences it at once (the candidate spoke
 * over it); the rest of that turn is then dropped as it arrives. When the next turn's audio comes, the turns
 * before it are dropped unless they are being heard: one whose audio never completed (the model failed
 * mid-turn; the platform tries it again whole, under a new id) is silenced even then, and one not yet heard
 * is silent for good. And once the candidate has answered, nothing the interviewer said before is heard any
 * more. The platform sends every reply's audio again to a page that connects from the start (a reload), faster
 * than it is spoken: only the last turn is spoken, not the whole interview over again.
 */
export class InterviewerPlayback {
  readonly #context: AudioContext;
  readonly #onPlayingChange: (playing: boolean) => void;
  readonly #output: GainNode;
  readonly #schedule = new PlaybackSchedule(leadSeconds);
  readonly #turns = new Map<string, TurnAudio>();
  readonly #interrupted = new Set<string>();
  /** What is scheduled or playing, and whose turn each is. */
  readonly #sources = new Map<AudioBufferSourceNode, string>();
  /** Decoding is asynchronous; this chain keeps pieces in the order they came. */
  #work: Promise<void> = Promise.resolve();
  #playing = false;
  #closed = false;

  constructor(options: InterviewerPlaybackOptions) {
    this.#context = options.context;
    this.#onPlayingChange = options.onPlayingChange;
    this.#output = this.#context.createGain();
    this.#output.connect(this.#context.destination);
  }

  /** Whether the interviewer's voice is being heard now. */
  get playing(): boolean {
    return this.#playing;
  }

  /** One `interviewer.audio` piece (base64), in `seq` order within its turn. */
  push(turnId: string, format: SpeechFormat, base64: string): void {
    if (this.#closed || this.#interrupted.has(turnId)) return;
    let turn = this.#turns.get(turnId);
    if (!turn) {
      this.#dropEarlierTurns();
      turn = { decoder: createSpeechDecoder(format, this.#context), format, done: false };
      this.#turns.set(turnId, turn);
    }
    const { decoder } = turn;
    const bytes = fromBase64(base64);
    this.#enqueue(turnId, () => decoder.push(bytes));
  }

  /** The turn's audio is complete (`interviewer.done`): play what the decoder still holds. */
  turnDone(turnId: string): void {
    const turn = this.#turns.get(turnId);
    if (!turn) return;
    turn.done = true;
    this.#enqueue(turnId, () => turn.decoder.end());
    this.#work = this.#work.then(() => {
      this.#turns.delete(turnId);
    });
  }

  /**
   * Stops the interviewer's voice at once, and drops the rest of the turn as it arrives. Returns the turn that
   * was being heard (or still arriving, between two late pieces) and how much of it had played; null when
   * the interviewer was silent.
   */
  interrupt(): InterruptedTurn | null {
    const now = this.#context.currentTime;
    const arriving = [...this.#turns.keys()].find((id) => !this.#interrupted.has(id)) ?? null;
    const turnId = this.#playing ? this.#schedule.turnAt(now) : arriving;
    if (turnId === null) return null;
    const heardMs = Math.round(this.#schedule.heardSeconds(turnId, now) * 1000);
    for (const id of this.#turns.keys()) this.#interrupted.add(id);
    this.#interrupted.add(turnId);
    this.#stopSources();
    return { turnId, heardMs };
  }

  /**
   * The candidate's answer is in (its transcript came): the turns it answers are over, and what of them is
   * still to be heard is dropped. Not an interruption to report: the candidate may have heard it all before.
   */
  answered(): void {
    for (const id of this.#turns.keys()) this.#interrupted.add(id);
    this.#turns.clear();
    this.#stopSources();
  }

  /** Whether the interviewer is speaking: audio playing, or a turn's audio still arriving. */
  get speaking(): boolean {
    return this.#playing || [...this.#turns.keys()].some((id) => !this.#interrupted.has(id));
  }

  /** Stops everything and releases the output; nothing plays after this. */
  close(): void {
    this.#closed = true;
    this.#stopSources();
    this.#output.disconnect();
  }

  /**
   * A new turn's audio came: the turns before it go, but for a complete one being heard, which ends first. An
   * unfinished turn would otherwise count as still arriving for good, and be heard before its retry.
   */
  #dropEarlierTurns(): void {
    const now = this.#context.currentTime;
    const heard = new Set(this.#schedule.pieces.filter((piece) => piece.start <= now).map((p) => p.turnId));
    const dropped = new Set<string>();
    for (const [id, turn] of this.#turns) if (!turn.done || !heard.has(id)) dropped.add(id);
    // Complete turns already decoded and waiting their turn on the clock.
    for (const piece of this.#schedule.pieces) if (!heard.has(piece.turnId)) dropped.add(piece.turnId);
    if (dropped.size === 0) return;
    for (const id of dropped) {
      this.#turns.delete(id);
      this.#interrupted.add(id);
    }
    for (const [source, id] of this.#sources) if (dropped.has(id)) this.#stopSource(source);
    // What is left plays on where it was placed; the next piece follows it, not the silence of what went.
    const kept = this.#schedule.pieces.filter((piece) => !dropped.has(piece.turnId));
    this.#schedule.clear();
    for (const piece of kept)
      this.#schedule.place(piece.turnId, piece.end - piece.start, piece.start - leadSeconds);
    if (this.#sources.size === 0) this.#setPlaying(false);
  }

  #enqueue(turnId: string, decode: () => Promise<AudioBuffer[]>): void {
    this.#work = this.#work
      .then(async () => {
        if (this.#closed || this.#interrupted.has(turnId)) return;
        const buffers = await decode();
        if (this.#closed || this.#interrupted.has(turnId)) return;
        for (const buffer of buffers) this.#play(turnId, buffer);
      })
      .catch((error: unknown) => {
        // One undecodable piece must not silence the rest; the captions carry the words regardless.
        console.warn('[viva] could not play a piece of the interviewer audio', error);
      });
  }

  #play(turnId: string, buffer: AudioBuffer): void {
    const now = this.#context.currentTime;
    // A new turn after silence starts a fresh schedule; a late piece of the same turn keeps what it had played.
    const last = this.#schedule.pieces.at(-1);
    if (!this.#schedule.isPlaying(now) && last && last.turnId !== turnId) this.#schedule.clear();
    const source = this.#context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.#output);
    source.start(this.#schedule.place(turnId, buffer.duration, now));
    this.#sources.set(source, turnId);
    source.addEventListener('ended', () => {
      if (!this.#sources.delete(source)) return;
      if (this.#sources.size === 0) this.#setPlaying(false);
    });
    this.#setPlaying(true);
  }

  #stopSources(): void {
    for (const source of this.#sources.keys()) this.#stopSource(source);
    this.#schedule.clear();
    this.#setPlaying(false);
  }

  #stopSource(source: AudioBufferSourceNode): void {
    this.#sources.delete(source);
    try {
      source.stop();
    } catch {
      // Already stopped.
    }
    source.disconnect();
  }

  #setPlaying(playing: boolean): void {
    if (this.#playing === playing) return;
    this.#playing = playing;
    if (!this.#closed) this.#onPlayingChange(playing);
  }
}

function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
