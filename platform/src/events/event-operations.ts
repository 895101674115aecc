import { toPage } from '../db/pagination.ts';
import { operation } from '../http/operation.ts';
import { eventResource } from './event-resource.ts';
import { getEvent, listEvents } from './events.ts';

export const eventOperations = [
  operation('listEvents', {}, async ({ em, caller, query }) => ({
    status: 200,
    body: toPage(await listEvents(em, caller, query), eventResource),
  })),
  operation('retrieveEvent', {}, async ({ em, caller, params }) => ({
    status: 200,
    body: eventResource(await getEvent(em, caller, params.id)),
  })),
];
