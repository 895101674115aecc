import { executeServerCommand } from '@web/test-runner-commands';
import { InterviewClient } from '../../src/client/interview-client.ts';
import type { ClientStatus, InterviewClientOptions, InterviewState } from '../../src/client/types.ts';
import type {
  FakeLiveKitMode,
  LiveKitAttempt,
  ProxyAction,
  ProxyLogEntry,
  SessionFixture,
} from '../support/protocol.ts';

/**
 * What the client tests ask of the real platform the test run started (see test/support/platform-plugin.ts),
 * and small waiting helpers whose failures say what they saw.
 */

export interface SessionRequest {
  live?: boolean;
  proxy?: boolean;
  allowedOrigins?: string[];
  job?: Record<string, unknown>;
  /** On the platform configured with LiveKit, whose (fake) server fails every join this way. */
  livekit?: FakeLiveKitMode;
}

export function newSession(request: SessionRequest = {}): Promise<SessionFixture> {
  return executeServerCommand<SessionFixture, SessionRequest>('viva-session', request);
}

export interface TranscriptTurn {
  id: string;
  seq: number;
  speaker: 'interviewer' | 'candidate';
  kind: string;
  question_index: number | null;
  text: string;
  has_audio: boolean;
  interrupted_at_ms: number | null;
}

/** The transcript as the ATS reads it with its secret key, on the server. */
export function serverTranscript(interviewId: string): Promise<{ status: string; turns: TranscriptTurn[] }> {
  return executeServerCommand('viva-transcript', { interviewId });
}

export interface RecordingSegment {
  turn_id: string;
  speaker: 'interviewer' | 'candidate';
  content_type: string;
  size: number;
  duration_ms: number | null;
}

export function serverRecording(interviewId: string): Promise<{ segments: RecordingSegment[] }> {
  return executeServerCommand('viva-recording', { interviewId });
}

/** A recording segment's bytes, fetched on the server with its signed URL. */
export async function recordingAudio(
  interviewId: string,
  turnId: string,
): Promise<{ contentType: string; bytes: Uint8Array<ArrayBuffer> } | null> {
  const audio = await executeServerCommand<{ contentType: string; base64: string } | null, unknown>(
    'viva-recording-audio',
    { interviewId, turnId },
  );
  if (!audio) return null;
  const binary = atob(audio.base64);
  return { contentType: audio.contentType, bytes: Uint8Array.from(binary, (c) => c.charCodeAt(0)) };
}

export async function expiredToken(interviewId: string): Promise<string> {
  const { token } = await executeServerCommand<{ token: string }, unknown>('viva-expired-token', {
    interviewId,
  });
  return token;
}

/** Breaks (or mends) the network between this page and the platform; see NetworkProxy. */
export async function proxy(session: SessionFixture, action: ProxyAction): Promise<void> {
  await executeServerCommand('viva-proxy', { proxyId: session.proxyId, ...action });
}

export function proxyLog(session: SessionFixture): Promise<ProxyLogEntry[]> {
  return executeServerCommand('viva-proxy', { proxyId: session.proxyId, action: 'log' });
}

/** What the browser asked of the fake LiveKit server, since the run began. */
export function liveKitAttempts(): Promise<LiveKitAttempt[]> {
  return executeServerCommand('viva-livekit-attempts', {});
}

/** Slows the fake speech server, so that each spoken interviewer turn lasts a while. */
export async function speechLatency(latencyMs: number): Promise<void> {
  await executeServerCommand('viva-fake-openai', { latencyMs });
}

/** A client for the session, recording every state it goes through. */
export function clientFor(
  session: SessionFixture,
  options: Partial<InterviewClientOptions> = {},
): { client: InterviewClient; states: InterviewState[] } {
  const client = new InterviewClient({ apiBase: session.apiBase, sessionToken: session.token, ...options });
  const states: InterviewState[] = [];
  client.addEventListener('state', (event) => states.push(event.detail));
  clients.push(client);
  return { client, states };
}

const clients: InterviewClient[] = [];

/** Closes every client a test made, so no stream or microphone outlives its test. */
export function closeClients(): void {
  for (const client of clients.splice(0)) client.close();
}

/** The statuses a client went through, without repeats. */
export function statusesOf(states: readonly InterviewState[]): ClientStatus[] {
  return states.map((s) => s.status).filter((status, i, all) => i === 0 || all[i - 1] !== status);
}

/** Waits until `check` holds, or fails with what `describe` says about the situation then. */
export async function until(
  check: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until the client's state satisfies `check`. */
export function untilState(
  client: InterviewClient,
  check: (state: InterviewState) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  return until(
    () => check(client.state),
    () =>
      `${what}; the state is ${JSON.stringify({ ...client.state, session: client.state.session && '…' })}`,
    timeoutMs,
  );
}

/** Waits for the candidate's turn. */
export function untilCandidateTurn(client: InterviewClient, timeoutMs = 15_000): Promise<void> {
  return untilState(
    client,
    (s) => s.status === 'live' && s.turn === 'candidate',
    "the candidate's turn",
    timeoutMs,
  );
}
