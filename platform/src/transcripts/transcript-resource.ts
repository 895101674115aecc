import type { BlobStore } from '../blobs/blob-store.ts';
import type { SuccessBody } from '../http/operation.ts';
import type { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import type { Turn } from './turn.entity.ts';

export type TranscriptResource = SuccessBody<'retrieveInterviewTranscript'>;
export type RecordingResource = SuccessBody<'retrieveInterviewRecording'>;

/** Recording links are minted per response and short-lived, like résumé links. */
const recordingUrlSeconds = 15 * 60;

/** An interview's transcript as the API shows it: `turns` in order of `seq`. */
export function transcriptResource(interview: Interview, turns: Turn[]): TranscriptResource {
  return {
    object: 'transcript',
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
  };
}

/** An interview's recording: a signed link per turn with audio, of `turns` in order of `seq`. */
export async function recordingResource(
  interview: Interview,
  turns: Turn[],
  blobs: BlobStore,
): Promise<RecordingResource> {
  const expiresAt = new Date(Date.now() + recordingUrlSeconds * 1000).toISOString();
  const withAudio = turns.flatMap((turn) => (turn.audio ? [{ turn, audio: turn.audio }] : []));
  const segments = await Promise.all(
    withAudio.map(async ({ turn, audio }) => ({
      turn_id: turn.id,
      speaker: turn.speaker,
      content_type: audio.contentType,
      size: audio.size,
      duration_ms: audio.durationMs,
      url: await blobs.signedUrl(audio.blobKey, { expiresInSeconds: recordingUrlSeconds }),
      url_expires_at: expiresAt,
    })),
  );
  return { object: 'recording', interview_id: interview.id, livemode: interview.livemode, segments };
}
