/**
 * What the Node side of the tests (the platform plugin, the network proxy, the fake speech server) and the
 * browser side share: types and constants only, no imports, so browser code can import it.
 */

/** What the fake speech-to-text server hears in every audio answer: the words test/fixtures/answer.wav speaks. */
export const fakeTranscript = 'I built a design system with accessible components and visual tests';

export interface SessionFixture {
  apiBase: string;
  token: string;
  interviewId: string;
  /** With `proxy: true`: the proxy to command with `viva-proxy`. */
  proxyId?: string;
  /** With `proxy: true`: the platform itself, around the proxy. */
  platformBase?: string;
  /** With `livekit`: the fake LiveKit server, the platform's LIVEKIT_URL. */
  liveKitUrl?: string;
}

/** How the fake LiveKit server (test/support/fake-livekit.ts) fails a join: at once, or by never answering. */
export type FakeLiveKitMode = 'refuse' | 'hang';

/** A request the browser made to the fake LiveKit server. */
export interface LiveKitAttempt {
  kind: 'websocket' | 'http';
  path: string;
  /** Whether the request carried an `access_token` (the platform's LiveKit token); the token is not logged. */
  withToken: boolean;
  mode: FakeLiveKitMode;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  /** The platform's status; null when the request never reached it (the network was down). */
  status: number | null;
  idempotencyKey: string | null;
  lastEventId: string | null;
  /** `forwarded`: the browser got the response; `dropped`: the platform answered, the browser never heard;
   * `refused`: the network was down; `failed`: the proxy answered an error itself (`fail-next`). */
  outcome: 'forwarded' | 'dropped' | 'refused' | 'failed';
}

export type ProxyAction =
  | { action: 'cut' }
  | { action: 'down' }
  | { action: 'up' }
  | { action: 'drop-responses'; method: string; path: string; count?: number }
  | { action: 'fail-next'; method: string; path: string; status: number; retryAfter?: string; count?: number }
  | { action: 'delay-responses'; method: string; path: string; ms: number; count?: number }
  /** Writes this event into every open event stream, between two of the platform's events, as if it sent it. */
  | { action: 'inject-event'; event: string; data: unknown }
  | { action: 'pause-events' }
  | { action: 'resume-events' }
  | { action: 'log' };
