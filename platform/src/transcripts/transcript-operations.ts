import { operation } from '../http/operation.ts';
import { effectiveStatus, getInterview } from '../interviews/interviews.ts';
import { Turn } from './turn.entity.ts';

/** Recording links are minted per response and short-lived, like résumé links. */
const recordingUrlSeconds = 15 * 60;

export const transcriptOperations = [
  operation('retrieveInterviewTranscript', {}, async ({ em, caller, params }) => {
    const interview = await getInterview(em, caller, params.id);
    const turns = await em.find(Turn, { interviewId: interview.id }, { orderBy: { seq: 'asc' } });
    return {
      status: 200,
      body: {
        object: 'transcript' as const,
        interview_id: interview.id,
        livemode: interview.livemode,
        status: effectiveStatus(interview),
        turns: turns.map((turn) => ({
          id: turn.id,
          seq: turn.seq,
          speaker: turn.speaker,
          kind: turn.kind,
          question_index: turn.questionIndex ?? null,
          text: turn.text,
          started_at: turn.startedAt.toISOString(),
          ended_at: turn.endedAt.toISOString(),
          has_audio: Boolean(turn.audio),
          interrupted_at_ms: turn.interruptedAtMs ?? null,
        })),
      },
    };
  }),
  operation('retrieveInterviewRecording', {}, async ({ em, caller, params, services }) => {
    const interview = await getInterview(em, caller, params.id);
    const turns = await em.find(
      Turn,
      { interviewId: interview.id, audio: { $ne: null } },
      { orderBy: { seq: 'asc' } },
    );
    const expiresAt = new Date(Date.now() + recordingUrlSeconds * 1000).toISOString();
    const segments = await Promise.all(
      turns.map(async (turn) => ({
        turn_id: turn.id,
        speaker: turn.speaker,
        content_type: turn.audio!.contentType,
        size: turn.audio!.size,
        duration_ms: turn.audio!.durationMs,
        url: await services.blobs.signedUrl(turn.audio!.blobKey, { expiresInSeconds: recordingUrlSeconds }),
        url_expires_at: expiresAt,
      })),
    );
    return {
      status: 200,
      body: {
        object: 'recording' as const,
        interview_id: interview.id,
        livemode: interview.livemode,
        segments,
      },
    };
  }),
];
