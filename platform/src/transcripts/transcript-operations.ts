import { operation } from '../http/operation.ts';
import { getInterview } from '../interviews/interviews.ts';
import { recordingResource, transcriptResource } from './transcript-resource.ts';
import { Turn } from './turn.entity.ts';

export const transcriptOperations = [
  operation('retrieveInterviewTranscript', {}, async ({ em, caller, params }) => {
    const interview = await getInterview(em, caller, params.id);
    const turns = await em.find(Turn, { interviewId: interview.id }, { orderBy: { seq: 'asc' } });
    return { status: 200, body: transcriptResource(interview, turns) };
  }),
  operation('retrieveInterviewRecording', {}, async ({ em, caller, params, services }) => {
    const interview = await getInterview(em, caller, params.id);
    const turns = await em.find(
      Turn,
      { interviewId: interview.id, audio: { $ne: null } },
      { orderBy: { seq: 'asc' } },
    );
    return { status: 200, body: await recordingResource(interview, turns, services.blobs) };
  }),
];
