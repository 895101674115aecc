/** The data topic the interviewer agent sends on; packets on any other topic are not for the widget. */
export const agentTopic = 'viva';

/** The interviewer agent's identity in the room, by the platform's contract. */
export const agentIdentity = 'interviewer';

/**
 * Whether a room's participant is the interviewer agent: its identity, and joined as an agent, which only
 * a token the platform signed can say. Only its voice is played and only its packets are read; anyone else
 * in the room is neither heard nor believed.
 */
export function isInterviewer(participant: { identity: string; isAgent: boolean } | undefined): boolean {
  return participant?.identity === agentIdentity && participant.isAgent;
}

/** What the interviewer agent is doing, for the interviewer visual. */
export type AgentState = 'listening' | 'thinking' | 'speaking';

/**
 * A data packet from the interviewer agent in the LiveKit room (reliable, topic `viva`, UTF-8 JSON):
 * its state, or an interim caption of what the candidate is saying. The agent may also forward the session's
 * events; the widget reads those on the event stream, so they parse as `null` here, as does anything unknown
 * or malformed (a newer agent may send more).
 */
export type AgentMessage =
  | { type: 'agent.state'; state: AgentState }
  | { type: 'candidate.partial'; text: string };

const agentStates: readonly string[] = ['listening', 'thinking', 'speaking'];
const decoder = new TextDecoder();

/** Reads one data packet; `null` for anything the widget does not act on. */
export function parseAgentMessage(payload: Uint8Array, topic: string | undefined): AgentMessage | null {
  if (topic !== agentTopic) return null;
  let message: unknown;
  try {
    message = JSON.parse(decoder.decode(payload));
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const { type, data } = message as { type?: unknown; data?: unknown };
  if (typeof data !== 'object' || data === null) return null;
  const fields = data as Record<string, unknown>;
  if (type === 'agent.state' && typeof fields.state === 'string' && agentStates.includes(fields.state)) {
    return { type, state: fields.state as AgentState };
  }
  if (type === 'candidate.partial' && typeof fields.text === 'string') return { type, text: fields.text };
  return null;
}
