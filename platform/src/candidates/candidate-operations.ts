import { deletedObject } from '../db/pagination.ts';
import { operation } from '../http/operation.ts';
import { exportCandidate } from './candidate-export.ts';
import { candidateResource } from './candidate-resource.ts';
import {
  attachResume,
  createCandidate,
  eraseCandidate,
  getCandidate,
  listCandidates,
  maxResumeBytes,
  updateCandidate,
} from './candidates.ts';

export const candidateOperations = [
  operation('createCandidate', {}, async ({ em, caller, body, services }) => ({
    status: 201,
    body: await candidateResource(await createCandidate(em, caller, body), services.blobs),
  })),
  operation('listCandidates', {}, async ({ em, caller, query, services }) => {
    const found = await listCandidates(em, caller, query);
    const data = await Promise.all(found.items.map((c) => candidateResource(c, services.blobs)));
    return { status: 200, body: { object: 'list' as const, data, has_more: found.hasMore } };
  }),
  operation('retrieveCandidate', {}, async ({ em, caller, params, services }) => ({
    status: 200,
    body: await candidateResource(await getCandidate(em, caller, params.id), services.blobs),
  })),
  operation('updateCandidate', {}, async ({ em, caller, params, body, services }) => ({
    status: 200,
    body: await candidateResource(await updateCandidate(em, caller, params.id, body), services.blobs),
  })),
  operation('deleteCandidate', {}, async ({ em, caller, params, services }) => {
    const canceled = await eraseCandidate(em, services.blobs, services.logger, caller, params.id);
    // A candidate still in one of them sees it end now; the ended stream, with what they said in it, then
    // expires within minutes.
    for (const interview of canceled) await services.engine.announceState(interview);
    return { status: 200, body: deletedObject(params.id, 'candidate') };
  }),
  operation(
    'uploadCandidateResume',
    { maxRawBytes: maxResumeBytes },
    async ({ em, caller, params, query, raw, services }) => {
      const upload = {
        contentType: raw?.contentType ?? '',
        bytes: raw?.bytes ?? Buffer.alloc(0),
        filename: query.filename,
      };
      const candidate = await attachResume(em, services.blobs, services.logger, caller, params.id, upload);
      return { status: 200, body: await candidateResource(candidate, services.blobs) };
    },
  ),
  operation('exportCandidate', {}, async ({ em, caller, params, services }) => ({
    status: 200,
    body: await exportCandidate(em, services.blobs, caller, params.id),
  })),
];
