import { ApiError } from '../http/api-error.ts';
import { operation, type SessionCaller } from '../http/operation.ts';
import { recordInterruption } from '../transcripts/interruptions.ts';
import { inspectAudio, maxAnswerBytes } from './audio-answer.ts';
import { sessionResource } from './session-resource.ts';
import { openSse, pipeEvents, type SseStream } from './sse-stream.ts';
import { closeWhenEnded } from './stream-end-watch.ts';

function sessionOf(session: SessionCaller | null): SessionCaller {
  if (!session) throw new Error('session operation reached without a session');
  return session;
}

export const sessionOperations = [
  operation('getSession', {}, async ({ em, session, services }) => ({
    status: 200,
    body: await sessionResource(
      em,
      sessionOf(session).interviewId,
      services.providers,
      services.config.livekit !== null,
    ),
  })),
  operation('startSession', {}, async ({ em, session, services }) => {
    const { interviewId } = sessionOf(session);
    await services.engine.start(interviewId);
    return {
      status: 200,
      body: await sessionResource(
        em.fork(),
        interviewId,
        services.providers,
        services.config.livekit !== null,
      ),
    };
  }),
  operation('endSession', {}, async ({ em, session, services }) => {
    const { interviewId } = sessionOf(session);
    await services.engine.end(interviewId);
    return {
      status: 200,
      body: await sessionResource(
        em.fork(),
        interviewId,
        services.providers,
        services.config.livekit !== null,
      ),
    };
  }),
  operation('submitAnswer', { maxRawBytes: maxAnswerBytes }, async ({ session, body, raw, services }) => {
    const { interviewId } = sessionOf(session);
    let turn: Awaited<ReturnType<typeof services.engine.answer>>;
    if (raw) {
      if (raw.bytes.length === 0) throw new ApiError('invalid_request', 'The audio answer is empty.');
      const audio = inspectAudio(raw.bytes, raw.contentType);
      // Its length is the engine's to check, as it is for an answer spoken in a LiveKit room.
      turn = await services.engine.answer(interviewId, {
        audio: { bytes: raw.bytes, contentType: audio.contentType, durationMs: audio.durationMs },
      });
    } else {
      if (!body) throw new ApiError('invalid_request', 'Send the answer as JSON {"text": ...} or as audio.');
      turn = await services.engine.answer(interviewId, { text: body.text });
    }
    return {
      status: 202,
      body: { object: 'answer' as const, turn_id: turn.id, text: turn.text, interview_id: interviewId },
    };
  }),
  operation('reportInterruption', {}, async ({ em, session, body }) => {
    const { interviewId } = sessionOf(session);
    const at = await recordInterruption(em, interviewId, body.turn_id, body.heard_ms);
    return {
      status: 202,
      body: {
        object: 'interruption' as const,
        interview_id: interviewId,
        turn_id: body.turn_id,
        interrupted_at_ms: at,
      },
    };
  }),
  operation('streamSessionEvents', {}, async ({ caller, session, services }) => ({
    stream: async (ctx) => {
      const { interviewId } = sessionOf(session);
      // Before the response starts, so a stream past the cap is refused with a problem, not opened.
      const release = services.streamLimit.admit(interviewId);
      const lastEventId = ctx.get('last-event-id') || null;
      const heartbeatMs = services.config.sessionHeartbeatSeconds * 1000;
      let sse: SseStream;
      try {
        sse = openSse(ctx, { heartbeatMs });
      } catch (error) {
        release();
        throw error;
      }
      sse.signal.addEventListener('abort', release, { once: true });
      const { engine, bus, logger } = services;
      const { tenantId, livemode } = caller;
      closeWhenEnded(services.db.orm.em, { interviewId, tenantId, livemode }, sse, heartbeatMs);
      // A fresh snapshot for whoever just (re)connected, and a nudge in case a turn was left unfinished by a crash.
      // The stream replays from `Last-Event-ID`, so it gets the snapshot whether it subscribes before or after.
      await engine.publishCurrentState(interviewId);
      engine.resume(interviewId);
      void pipeEvents(bus, interviewId, lastEventId, sse, (error) =>
        logger.warn(
          { err: error, interview_id: interviewId },
          'session event stream failed; the client reconnects and resumes',
        ),
      );
    },
  })),
];
