import { SignJWT } from 'jose';

/**
 * LiveKit access tokens, signed here with jose rather than with `livekit-server-sdk` (which would add its
 * protobuf runtime for one JWT). The claims follow LiveKit's documented format: `iss` the API key, `sub`
 * the participant's identity, `nbf` and `exp`, `name`, `kind`, and the `video` grant; HS256 with the API
 * secret. See https://docs.livekit.io/frontends/reference/tokens-grants/.
 */

/** The `video` grant: what a participant may do in its one room. Names as LiveKit spells them. */
export interface VideoGrant {
  roomJoin: true;
  room: string;
  canPublish: boolean;
  canSubscribe: boolean;
  canPublishData: boolean;
  /** When present, LiveKit lets the participant publish these track sources and no others. */
  canPublishSources: ('microphone' | 'camera' | 'screen_share' | 'screen_share_audio')[];
  canUpdateOwnMetadata: boolean;
}

export interface LiveKitTokenInput {
  apiKey: string;
  apiSecret: string;
  identity: string;
  /** The participant's display name, as other participants see it. */
  name: string;
  /** LiveKit's participant kind: `agent` marks the interviewer as a bot for client SDKs. */
  kind?: 'standard' | 'agent';
  grant: VideoGrant;
  ttlSeconds: number;
  now?: Date;
}

export interface LiveKitToken {
  token: string;
  expiresAt: Date;
}

/**
 * One room per interview, named after it: stable across reconnects and instances, unique across tenants
 * (interview ids are), and free of personal data (LiveKit logs room names and identities).
 */
export function roomFor(interviewId: string): string {
  return `viva-${interviewId}`;
}

export function candidateIdentity(interviewId: string): string {
  return `candidate-${interviewId}`;
}

/** The identity the interviewer agent joins with: one per room, so LiveKit itself keeps a second one out. */
export const agentIdentity = 'interviewer';

/** The candidate may join its interview's room, hear the interviewer, and publish its microphone: nothing else. */
export function candidateGrant(room: string): VideoGrant {
  return {
    roomJoin: true,
    room,
    canPublish: true,
    canSubscribe: true,
    // The agent's data channel is one way: captions and state come from the platform, never from the page.
    canPublishData: false,
    canPublishSources: ['microphone'],
    canUpdateOwnMetadata: false,
  };
}

/** The interviewer agent publishes its voice (as a microphone) and data packets, and hears the candidate. */
export function agentGrant(room: string): VideoGrant {
  return {
    roomJoin: true,
    room,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
    canPublishSources: ['microphone'],
    canUpdateOwnMetadata: false,
  };
}

export async function mintLiveKitToken(input: LiveKitTokenInput): Promise<LiveKitToken> {
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const exp = now + input.ttlSeconds;
  const token = await new SignJWT({
    name: input.name,
    ...(input.kind ? { kind: input.kind } : {}),
    video: { ...input.grant },
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(input.apiKey)
    .setSubject(input.identity)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(input.apiSecret));
  return { token, expiresAt: new Date(exp * 1000) };
}
