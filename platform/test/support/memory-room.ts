import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import type { PcmFrame } from '../../src/livekit/pcm.ts';
import type { AgentRoom, AudioOutput, RoomConnector, RoomHandlers } from '../../src/livekit/room.ts';
import { framesOf, type Speech } from './speech.ts';

/**
 * The LiveKit side of the agent's `RoomConnector`, in memory: no LiveKit server can run here (see
 * docs/livekit.md, "What is tested"), so the room is this. It delivers real audio frames to the agent as rtc-node would, plays
 * the agent's voice out at a steady pace like an AudioSource (1 s queue, then backpressure), and records
 * the data packets. Everything on the agent's side of the interface is the real code.
 */

export interface AgentMessage {
  type: string;
  id?: string;
  data: Record<string, unknown>;
}

/**
 * An AudioSource stand-in: audio plays out at `speed` times real time once queued. Like rtc-node's, once
 * closed (its room left) it refuses frames with `AudioSource is closed`.
 */
export class PacedOutput implements AudioOutput {
  readonly sampleRate = 24_000;
  /** Every frame the agent captured, in order (including what a clear dropped). */
  readonly frames: PcmFrame[] = [];
  clears = 0;
  closed = false;
  /** Frames offered after it closed, and refused. */
  refused = 0;
  readonly #speed: number;
  readonly #queueMs = 1000;
  /** performance.now() when the queue runs dry. */
  #drainsAt = 0;
  #waiters: (() => void)[] = [];

  constructor(speed = 1) {
    this.#speed = speed;
  }

  get capturedMs(): number {
    return this.frames.reduce((ms, f) => ms + (f.samplesPerChannel / f.sampleRate) * 1000, 0);
  }

  queuedMs(): number {
    return Math.max(0, this.#drainsAt - performance.now()) * this.#speed;
  }

  async captureFrame(frame: PcmFrame): Promise<void> {
    if (this.closed) {
      this.refused += 1;
      throw new Error('AudioSource is closed');
    }
    this.frames.push({ ...frame, data: frame.data.slice() });
    const frameMs = (frame.samplesPerChannel / frame.sampleRate) * 1000;
    this.#drainsAt = Math.max(this.#drainsAt, performance.now()) + frameMs / this.#speed;
    const excess = this.queuedMs() - this.#queueMs;
    if (excess > 0) await sleep(excess / this.#speed);
  }

  clear(): void {
    this.clears += 1;
    this.#drainsAt = 0;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  close(): void {
    this.closed = true;
    this.#drainsAt = 0;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  async waitForPlayout(): Promise<void> {
    while (this.queuedMs() > 0) {
      const cleared = new Promise<void>((resolve) => this.#waiters.push(resolve));
      await Promise.race([sleep(Math.min(50, this.queuedMs() / this.#speed + 1)), cleared]);
    }
  }
}

export class MemoryRoom implements AgentRoom {
  readonly output: PacedOutput;
  readonly messages: AgentMessage[] = [];
  readonly name: string;
  readonly token: string;
  connected = true;
  readonly #handlers: RoomHandlers;
  #listeners: (() => void)[] = [];

  constructor(token: string, handlers: RoomHandlers, speed: number) {
    this.token = token;
    this.name = String((decodeJwt(token).video as { room: string }).room);
    this.#handlers = handlers;
    this.output = new PacedOutput(speed);
  }

  async publishData(payload: Uint8Array): Promise<void> {
    this.messages.push(JSON.parse(new TextDecoder().decode(payload)) as AgentMessage);
    this.#notify();
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.output.close();
    this.#notify();
  }

  joinCandidate(): void {
    this.#handlers.candidatePresence(true);
  }

  leaveCandidate(): void {
    this.#handlers.candidatePresence(false);
  }

  /** The candidate's microphone plays `speech` in 10 ms frames: at once, or paced in real time. */
  async say(speech: Speech, options: { realtime?: boolean } = {}): Promise<void> {
    const frames = framesOf(speech, 10);
    const started = performance.now();
    for (const [i, frame] of frames.entries()) {
      this.#handlers.candidateFrame(frame);
      if (options.realtime && i % 5 === 4) {
        const due = started + (i + 1) * 10 - performance.now();
        if (due > 0) await sleep(due);
      }
    }
  }

  /** The agent's states in the order it sent them. */
  states(): string[] {
    return this.messages.filter((m) => m.type === 'agent.state').map((m) => String(m.data.state));
  }

  /** Resolves once `test` holds, checked after every packet and disconnect (and now). */
  async until(test: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `timed out waiting for ${what}; packets: ${JSON.stringify(this.messages.map((m) => [m.type, m.data]))}`,
        );
      }
      await Promise.race([
        sleep(Math.min(remaining, 100)),
        new Promise<void>((r) => this.#listeners.push(r)),
      ]);
    }
  }

  #notify(): void {
    for (const resolve of this.#listeners.splice(0)) resolve();
  }
}

/** A connector whose rooms are `MemoryRoom`s; `failNext` and `hangNext` make the next connections fail or hang. */
export class MemoryLiveKit implements RoomConnector {
  readonly rooms: MemoryRoom[] = [];
  readonly connections: { url: string; token: string; candidateIdentity: string }[] = [];
  failNext = 0;
  /** The next connections never answer, as a server behind a firewall that drops the packets. */
  hangNext = 0;
  readonly #speed: number;

  /** `speed`: how much faster than real time the agent's voice plays out. */
  constructor(speed = 1) {
    this.#speed = speed;
  }

  async connect(
    url: string,
    token: string,
    candidateIdentity: string,
    handlers: RoomHandlers,
  ): Promise<AgentRoom> {
    this.connections.push({ url, token, candidateIdentity });
    if (this.hangNext > 0) {
      this.hangNext -= 1;
      return new Promise<never>(() => undefined);
    }
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('could not connect: the LiveKit server refused');
    }
    const room = new MemoryRoom(token, handlers, this.#speed);
    this.rooms.push(room);
    return room;
  }

  /** The room the agent of `interviewId` joined, once it has. */
  async room(interviewId: string, timeoutMs = 15_000): Promise<MemoryRoom> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const room = this.rooms.findLast((r) => r.name === `viva-${interviewId}` && r.connected);
      if (room) return room;
      if (Date.now() > deadline) throw new Error(`no agent joined viva-${interviewId}`);
      await sleep(20);
    }
  }
}
