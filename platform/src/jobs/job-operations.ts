import { deletedObject, toPage } from '../db/pagination.ts';
import { operation } from '../http/operation.ts';
import { jobResource } from './job-resource.ts';
import { createJob, deleteJob, getJob, listJobs, updateJob } from './jobs.ts';

export const jobOperations = [
  operation('createJob', {}, async ({ em, caller, body }) => ({
    status: 201,
    body: jobResource(await createJob(em, caller, body)),
  })),
  operation('listJobs', {}, async ({ em, caller, query }) => ({
    status: 200,
    body: toPage(await listJobs(em, caller, query), jobResource),
  })),
  operation('retrieveJob', {}, async ({ em, caller, params }) => ({
    status: 200,
    body: jobResource(await getJob(em, caller, params.id)),
  })),
  operation('updateJob', {}, async ({ em, caller, params, body }) => ({
    status: 200,
    body: jobResource(await updateJob(em, caller, params.id, body)),
  })),
  operation('deleteJob', {}, async ({ em, caller, params }) => {
    await deleteJob(em, caller, params.id);
    return { status: 200, body: deletedObject(params.id, 'job') };
  }),
];
