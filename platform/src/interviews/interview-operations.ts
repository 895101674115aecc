import { toPage } from '../db/pagination.ts';
import { operation } from '../http/operation.ts';
import { interviewResource } from './interview-resource.ts';
import {
  cancelInterview,
  createInterview,
  listInterviews,
  readInterview,
  updateInterview,
} from './interviews.ts';

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
  operation('updateInterview', {}, async ({ em, caller, params, body }) => ({
    status: 200,
    body: interviewResource(await updateInterview(em, caller, params.id, body)),
  })),
  operation('cancelInterview', {}, async ({ em, caller, params, services }) => {
    const interview = await cancelInterview(em, caller, params.id);
    // A candidate still in the interview sees it end now, not at their next answer (or, with Redis away,
    // at their next request: the cancel has happened, and a 5xx would only get the client's retry a 409).
    await services.engine.announceState(interview);
    return { status: 200, body: interviewResource(interview) };
  }),
];
