import { toPage } from '../db/pagination.ts';
import { operation } from '../http/operation.ts';
import { scorecardResource } from './scorecard-resource.ts';
import { latestScorecard, listScorecards, rescore } from './scorecards.ts';

export const scorecardOperations = [
  operation('retrieveInterviewScorecard', {}, async ({ em, caller, params }) => ({
    status: 200,
    body: scorecardResource(await latestScorecard(em, caller, params.id)),
  })),
  operation('listInterviewScorecards', {}, async ({ em, caller, params, query }) => ({
    status: 200,
    body: toPage(await listScorecards(em, caller, params.id, query), scorecardResource),
  })),
  operation('rescoreInterview', {}, async ({ em, caller, params }) => ({
    status: 202,
    body: scorecardResource(await rescore(em, caller, params.id)),
  })),
];
