import type { SuccessBody } from '../http/operation.ts';
import type { Event } from './event.entity.ts';

export type EventResource = SuccessBody<'retrieveEvent'>;

export function eventResource(event: Event): EventResource {
  return {
    id: event.id,
    object: 'event',
    livemode: event.livemode,
    created_at: event.createdAt.toISOString(),
    type: event.type,
    interview_id: event.interviewId ?? null,
    sequence: event.sequence ?? null,
    data: event.data as EventResource['data'],
  };
}

/**
 * The body of a webhook: the Standard Webhooks shape (`type`, `timestamp`, `data`) plus the event's id and,
 * for an interview's events, its `sequence`. Serialised once per event, so every endpoint and every retry
 * signs exactly the same bytes.
 */
export function webhookPayload(
  event: Pick<Event, 'id' | 'type' | 'createdAt' | 'livemode' | 'interviewId' | 'sequence' | 'data'>,
): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.createdAt.toISOString(),
    livemode: event.livemode,
    interview_id: event.interviewId ?? null,
    sequence: event.sequence ?? null,
    data: event.data,
  });
}
