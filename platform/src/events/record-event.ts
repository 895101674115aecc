import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../ids.ts';
import type { Interview } from '../interviews/interview.entity.ts';
import { interviewResource } from '../interviews/interview-resource.ts';
import type { Owner } from '../owner.ts';
import { Event, type EventType } from './event.entity.ts';

/**
 * Adds an event to the unit of work that makes the change it reports, so both commit or neither does (the
 * transactional outbox): a webhook can never announce a change that rolled back, nor miss one that stuck.
 */
export function recordEvent(
  em: EntityManager,
  owner: Owner,
  type: EventType,
  object: Record<string, unknown>,
  about?: { interview: Interview },
): Event {
  let sequence: number | null = null;
  if (about) {
    // The caller holds the interview row (locked, or just inserted), so the counter cannot be raced.
    about.interview.eventSequence += 1;
    sequence = about.interview.eventSequence;
  }
  return em.create(Event, {
    id: newId('event'),
    tenantId: owner.tenantId,
    livemode: owner.livemode,
    type,
    interviewId: about?.interview.id ?? null,
    sequence,
    data: { object },
    createdAt: new Date(),
    dispatchedAt: null,
  });
}

/** An `interview.*` event carrying the interview as it now reads. */
export function recordInterviewEvent(
  em: EntityManager,
  type: Extract<EventType, `interview.${string}`>,
  interview: Interview,
): Event {
  return recordEvent(em, interview, type, interviewResource(interview), { interview });
}
