import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  agentGrant,
  agentIdentity,
  candidateGrant,
  candidateIdentity,
  mintLiveKitToken,
  roomFor,
} from '../../src/livekit/livekit-token.ts';

/**
 * LiveKit access tokens, claim by claim against LiveKit's documented format
 * (docs.livekit.io, "Tokens & grants"): a JWT signed HS256 with the API secret, `iss` the API key, `sub`
 * the identity, `nbf` and `exp`, `name`, and the `video` grant whose fields LiveKit names roomJoin, room,
 * canPublish, canSubscribe, canPublishData, canPublishSources (as strings: "microphone"...),
 * canUpdateOwnMetadata. livekit-server-sdk's AccessToken writes the same claims (and no `jti` since v2).
 */

const apiKey = 'APIwQm4s7UhX3pT';
const apiSecret = 'tkUQy0XKpFJ8sWbLzR2c6vNnEa9dHoMg';
const interviewId = 'int_06h04rax50001t6xwn08fjh6vm';
const secret = new TextEncoder().encode(apiSecret);

describe('LiveKit access tokens', () => {
  it("let the candidate join its interview's room and publish its microphone, nothing more", async () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const room = roomFor(interviewId);
    const { token, expiresAt } = await mintLiveKitToken({
      apiKey,
      apiSecret,
      identity: candidateIdentity(interviewId),
      name: 'Candidate',
      grant: candidateGrant(room),
      ttlSeconds: 600,
      now,
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      issuer: apiKey,
      subject: `candidate-${interviewId}`,
      currentDate: new Date('2026-11-23T10:05:00Z'),
    });
    const nbf = Math.floor(now.getTime() / 1000);
    expect(payload).toEqual({
      iss: apiKey,
      sub: 'candidate-int_06h04rax50001t6xwn08fjh6vm',
      nbf,
      exp: nbf + 600,
      name: 'Candidate',
      video: {
        roomJoin: true,
        room: 'viva-int_06h04rax50001t6xwn08fjh6vm',
        canPublish: true,
        canSubscribe: true,
        canPublishData: false,
        canPublishSources: ['microphone'],
        canUpdateOwnMetadata: false,
      },
    });
    expect(expiresAt.toISOString()).toBe('2026-11-23T10:10:00.000Z');
  });

  it('give the interviewer agent its own identity, marked as an agent, that may send data', async () => {
    const { token } = await mintLiveKitToken({
      apiKey,
      apiSecret,
      identity: agentIdentity,
      name: 'Viva',
      kind: 'agent',
      grant: agentGrant(roomFor(interviewId)),
      ttlSeconds: 600,
    });
    const { payload } = await jwtVerify(token, secret, { issuer: apiKey });
    expect(payload).toMatchObject({
      sub: 'interviewer',
      name: 'Viva',
      kind: 'agent',
      video: {
        roomJoin: true,
        room: 'viva-int_06h04rax50001t6xwn08fjh6vm',
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
        canPublishSources: ['microphone'],
      },
    });
    // Room-scoped: no grant that reaches beyond this one room.
    const video = payload.video as Record<string, unknown>;
    for (const wide of [
      'roomCreate',
      'roomList',
      'roomAdmin',
      'roomRecord',
      'ingressAdmin',
      'hidden',
      'agent',
    ]) {
      expect(video, wide).not.toHaveProperty(wide);
    }
  });

  it('verify only with their own secret, and only in their time window', async () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const { token } = await mintLiveKitToken({
      apiKey,
      apiSecret,
      identity: candidateIdentity(interviewId),
      name: 'Candidate',
      grant: candidateGrant(roomFor(interviewId)),
      ttlSeconds: 600,
      now,
    });
    await expect(
      jwtVerify(token, new TextEncoder().encode(`${apiSecret}x`), { currentDate: now }),
    ).rejects.toThrow(/signature/);
    await expect(jwtVerify(token, secret, { currentDate: new Date('2026-11-23T10:10:01Z') })).rejects.toThrow(
      /exp/,
    );
    await expect(jwtVerify(token, secret, { currentDate: new Date('2026-11-23T09:59:00Z') })).rejects.toThrow(
      /nbf/,
    );
  });

  it('name one room per interview, free of personal data', () => {
    expect(roomFor(interviewId)).toBe('viva-int_06h04rax50001t6xwn08fjh6vm');
    expect(candidateIdentity(interviewId)).toBe('candidate-int_06h04rax50001t6xwn08fjh6vm');
  });
});
