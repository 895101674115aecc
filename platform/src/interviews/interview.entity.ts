import { defineEntity, p } from '@mikro-orm/core';
import type { InterviewProgress } from '../engine/progress.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';

export const interviewStatuses = ['scheduled', 'in_progress', 'completed', 'expired', 'canceled'] as const;
export type InterviewStatus = (typeof interviewStatuses)[number];

const InterviewSchema = defineEntity({
  name: 'Interview',
  tableName: 'interviews',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    jobId: p.string(),
    candidateId: p.string(),
    status: p.string().$type<InterviewStatus>(),
    expiresAt: p.datetime(),
    startedAt: p.datetime().nullable(),
    completedAt: p.datetime().nullable(),
    canceledAt: p.datetime().nullable(),
    externalId: p.text().nullable(),
    metadata: p.json<Record<string, string>>(),
    /** Where the conversation stands, saved after every step so any instance can carry on after a crash. */
    progress: p.json<InterviewProgress>(),
    tokensUsed: p.integer(),
    /** The job as it was when the interview started; null before (see jobs/job-snapshot.ts). */
    jobSnapshot: p.json<JobSnapshot>().nullable(),
    /** The `sequence` of this interview's latest event: receivers order an interview's events by it. */
    eventSequence: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export class Interview extends InterviewSchema.class {}
InterviewSchema.setClass(Interview);

export { InterviewSchema };
