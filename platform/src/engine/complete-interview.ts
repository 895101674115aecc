import type { EntityManager } from '@mikro-orm/postgresql';
import { recordInterviewEvent } from '../events/record-event.ts';
import type { Interview } from '../interviews/interview.entity.ts';
import { queueScoring } from '../scoring/scorecards.ts';
import type { ClosingReason } from './progress.ts';

/** Ends an interview whose row the caller holds locked; what was said so far stands, and is scored. */
export function completeInterview(em: EntityManager, row: Interview, reason: ClosingReason): void {
  const now = new Date();
  row.status = 'completed';
  row.completedAt = now;
  row.updatedAt = now;
  row.progress = {
    ...row.progress,
    phase: 'done',
    awaiting: 'none',
    closingReason: reason,
    leaseUntil: null,
  };
  recordInterviewEvent(em, 'interview.completed', row);
  queueScoring(em, row, 'interview_completed');
}
