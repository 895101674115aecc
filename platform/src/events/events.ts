import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findPage, type PageRequest } from '../db/pagination.ts';
import { ApiError } from '../http/api-error.ts';
import type { Owner } from '../owner.ts';
import { Event, type EventType } from './event.entity.ts';

export interface EventFilters extends PageRequest {
  type?: EventType;
  interview_id?: string;
  created_gte?: string;
  created_lt?: string;
}

export async function listEvents(em: EntityManager, owner: Owner, filters: EventFilters) {
  const where: FilterQuery<Event>[] = [{ tenantId: owner.tenantId, livemode: owner.livemode }];
  if (filters.type) where.push({ type: filters.type });
  if (filters.interview_id) where.push({ interviewId: filters.interview_id });
  if (filters.created_gte) where.push({ createdAt: { $gte: new Date(filters.created_gte) } });
  if (filters.created_lt) where.push({ createdAt: { $lt: new Date(filters.created_lt) } });
  return findPage(em, Event, { $and: where }, filters);
}

export async function getEvent(em: EntityManager, owner: Owner, id: string): Promise<Event> {
  const event = await em.findOne(Event, { id, tenantId: owner.tenantId, livemode: owner.livemode });
  if (!event) throw new ApiError('resource_missing', `No event ${id}.`, { param: 'id' });
  return event;
}
