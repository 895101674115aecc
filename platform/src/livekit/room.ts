import type { PcmFrame } from './pcm.ts';

/**
 * The whole of what the interviewer agent needs from LiveKit, kept this small so that everything on this
 * side of it (listening, speaking, barge-in, the interview) is tested with real audio frames, while the
 * adapter behind it (rtc-node-room.ts) stays thin: no LiveKit server can run on the machines this is
 * built and tested on.
 */

/** The agent's voice: one audio track in the room. */
export interface AudioOutput {
  readonly sampleRate: number;
  /** Queues a frame for playout; resolves once it is queued (waits while the queue is full). */
  captureFrame(frame: PcmFrame): Promise<void>;
  /** Audio queued and not yet played out, in milliseconds. */
  queuedMs(): number;
  /** Drops everything queued: the agent stops speaking at once. */
  clear(): void;
  /** Resolves once everything queued has played out (or was cleared). */
  waitForPlayout(): Promise<void>;
}

/** What the room tells the agent. */
export interface RoomHandlers {
  /** The candidate joined (true) or left (false) the room. */
  candidatePresence(present: boolean): void;
  /** One frame of the candidate's microphone. */
  candidateFrame(frame: PcmFrame): void;
  /** The agent is out of the room for good: the server let it go, or the connection was lost. */
  disconnected(disconnect: RoomDisconnect): void;
}

/**
 * Why the room let the agent go, in the terms the agent decides on:
 * - `room_closed`: the server closed or deleted the room. LiveKit closes a room once no one but agents is
 *   left in it (after its `departure_timeout`), so joining again would only make an empty room anew.
 * - `removed`: the agent was removed from the room (by an operator, through LiveKit's server API).
 * - `connection_lost`: anything else (the signalling connection broke, the server shut down or moved the
 *   agent elsewhere): the room is still there, and another agent may join it at once.
 */
export interface RoomDisconnect {
  kind: 'room_closed' | 'removed' | 'connection_lost';
  /** LiveKit's own reason, for the log. */
  detail: string;
}

/** The agent in its room, connected. */
export interface AgentRoom {
  readonly output: AudioOutput;
  /** A reliable data packet on the `viva` topic, to every participant. */
  publishData(payload: Uint8Array): Promise<void>;
  disconnect(): Promise<void>;
}

export interface RoomConnector {
  /**
   * Joins `url` with `token`, publishes the agent's voice, and listens to the microphone of the participant
   * whose identity is `candidateIdentity`. Rejects when the room cannot be joined.
   */
  connect(url: string, token: string, candidateIdentity: string, handlers: RoomHandlers): Promise<AgentRoom>;
  /** Lets go of what the connector holds once its rooms are all left (the worker is stopping). */
  close?(): Promise<void>;
}

/** The data topic the agent publishes on; the widget ignores packets on any other. */
export const agentTopic = 'viva';

export type AgentState = 'listening' | 'thinking' | 'speaking';

/** Agent → candidate data packets (UTF-8 JSON): the contract the widget reads. */
export type AgentMessage =
  | { type: 'agent.state'; data: { state: AgentState } }
  | { type: 'candidate.partial'; data: { text: string } }
  /** A session event, forwarded as the event stream carries it; clients may ignore these. */
  | { type: string; id: string; data: unknown };

const encoder = new TextEncoder();

export function encodeAgentMessage(message: AgentMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}
