import { ApiError } from '../http/api-error.ts';
import { operation } from '../http/operation.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { requestAgent } from './agent-requests.ts';
import { candidateGrant, candidateIdentity, mintLiveKitToken, roomFor } from './livekit-token.ts';

/**
 * A room token lives only to join: LiveKit checks `exp` on connection, and refreshes the token of a
 * participant already in the room itself. A widget joining again asks for a new one.
 */
const candidateTokenSeconds = 600;

export const liveKitSessionOperations = [
  operation('createLiveKitSession', { returnsCredential: true }, async ({ em, session, services, body }) => {
    if (!session) throw new Error('session operation reached without a session');
    const livekit = services.config.livekit;
    if (!livekit) {
      throw new ApiError(
        'transport_unavailable',
        'This platform has no LiveKit server configured: use the HTTP transport.',
      );
    }
    const interview = await em.findOneOrFail(Interview, session.interviewId);
    // The room carries the candidate's voice to an agent that transcribes it: a text-only interview (test
    // mode, or no speech-to-text) has nothing for it to do.
    if (!interview.livemode || !services.providers.speechToText) {
      throw new ApiError(
        'transport_unavailable',
        'This interview takes text answers only, so it has no LiveKit room: use the HTTP transport.',
      );
    }
    const room = roomFor(interview.id);
    await requestAgent(em, {
      interviewId: interview.id,
      tenantId: interview.tenantId,
      room,
      // Bounded by the spec, as the widget bounds its `silence-ms`.
      silenceMs: body?.silence_ms ?? null,
    });
    const identity = candidateIdentity(interview.id);
    const { token, expiresAt } = await mintLiveKitToken({
      apiKey: livekit.apiKey,
      apiSecret: livekit.apiSecret,
      identity,
      // Not the candidate's name: LiveKit keeps participant names in its logs and analytics.
      name: 'Candidate',
      grant: candidateGrant(room),
      ttlSeconds: candidateTokenSeconds,
    });
    return {
      status: 200,
      body: {
        object: 'livekit_session' as const,
        url: livekit.url,
        room,
        identity,
        token,
        expires_at: expiresAt.toISOString(),
      },
    };
  }),
];
