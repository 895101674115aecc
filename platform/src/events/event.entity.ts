import { defineEntity, p } from '@mikro-orm/core';

export const eventTypes = [
  'interview.scheduled',
  'interview.started',
  'interview.completed',
  'interview.expired',
  'interview.canceled',
  'scorecard.completed',
  'scorecard.failed',
  'candidate.deleted',
  'webhook_endpoint.disabled',
] as const;
export type EventType = (typeof eventTypes)[number];

/** What an event reports: the object as the API shows it at the moment of the change. */
export interface EventData {
  object: Record<string, unknown>;
}

const EventSchema = defineEntity({
  name: 'Event',
  tableName: 'events',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    type: p.string().$type<EventType>(),
    /** The interview the event is about, if any: its events are numbered so receivers can order them. */
    interviewId: p.string().nullable(),
    sequence: p.integer().nullable(),
    data: p.json<EventData>(),
    createdAt: p.datetime(),
    /**
     * When the delivery worker turned the event into one delivery per subscribed endpoint. Null marks the
     * outbox: an event is written with the change it reports, and fanned out after that commits.
     */
    dispatchedAt: p.datetime().nullable(),
  },
});

export class Event extends EventSchema.class {}
EventSchema.setClass(Event);

export { EventSchema };
