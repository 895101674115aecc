import { toPage } from '../db/pagination.ts';
import { operation } from '../http/operation.ts';
import { interviewResource } from './interview-resource.ts';
import { cancelInterview, createInterview, listInterviews, readInterview } from './interviews.ts';

export const interviewOperations = [
  operation('createInterview', {}, async ({ em, caller, body }) => ({
    status: 201,
    body: interviewResource(await createInterview(em, caller, body)),
  })),
  operation('listInterviews', {}, async ({ em, caller, query }) => ({
    status: 200,
    body: toPage(await listInterviews(em, caller, query), interviewResource),
  })),
  operation('retrieveInterview', {}, async ({ em, caller, params }) => ({
    status: 200,
    body: interviewResource(await readInterview(em, caller, params.id)),
  })),
  operation('cancelInterview', {}, async ({ em, caller, params, services }) => {
    const interview = await cancelInterview(em, caller, params.id);
    // A candidate still in the interview sees it end now, not at their next answer. The cancellation is
    // committed either way, so a failure here is only logged: a 5xx would send the client to retry a
    // cancel that has happened, and the retry would be told the interview can no longer be canceled.
    await services.engine
      .publishState(interview)
      .catch((err: unknown) =>
        services.logger.warn(
          { err, interview_id: interview.id },
          'could not end a canceled interview’s session',
        ),
      );
    return { status: 200, body: interviewResource(interview) };
  }),
];
