import type { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import type { Job } from '../jobs/job.entity.ts';
import type { SessionEvent } from '../sessions/session-events.ts';

/** What the `state` event needs of the job. */
export type StateJob = Pick<Job, 'questions' | 'settings'>;

/** The `state` event: everything the widget needs to draw progress, the timer and whose turn it is. */
export function stateEvent(interview: Interview, job: StateJob, now = Date.now()): SessionEvent {
  const status = effectiveStatus(interview);
  const limitMs = job.settings.max_duration_seconds * 1000;
  const usedMs = interview.startedAt ? Math.min(limitMs, now - interview.startedAt.getTime()) : 0;
  const awaiting = interview.progress.awaiting;
  return {
    type: 'state',
    data: {
      status,
      question_index: Math.min(interview.progress.questionIndex, job.questions.length - 1),
      question_count: job.questions.length,
      time_left_seconds:
        status === 'in_progress' || status === 'scheduled' ? Math.ceil((limitMs - usedMs) / 1000) : 0,
      turn: status === 'in_progress' ? (awaiting === 'none' ? 'none' : awaiting) : 'none',
    },
  };
}
