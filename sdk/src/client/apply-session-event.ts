import type { Voice } from '../audio/voice.ts';
import type { AnswerQueue } from './answer-queue.ts';
import type { SessionEventStream } from './event-stream.ts';
import { InterviewClientError } from './interview-error.ts';
import type { InterviewStateStore } from './interview-state-store.ts';
import type { SessionEvent } from './session-event-parser.ts';
import type { TranscriptBook } from './transcript-book.ts';
import type { CompletionReason } from './types.ts';

/** The parts of an `InterviewClient` that the platform's events move, and its two ways of stopping. */
export interface SessionEventTargets {
  readonly store: InterviewStateStore;
  readonly book: TranscriptBook;
  readonly queue: AnswerQueue;
  readonly voice: Voice;
  /** The interview is over. */
  complete(interviewId: string, reason: CompletionReason): void;
  /** The interview stops until `retry()`, or for good. */
  fail(error: InterviewClientError): void;
  /** The interviewer is writing a turn: an `interviewer_unavailable` reported before it is over. */
  replying(): void;
  /** A `state` says the interview is completed: `interview.completed` should follow at once. */
  completing(): void;
}

/**
 * What one event of the session's stream does: a `state` moves the turn, the question and the clock (and
 * lets the next answer go), the interviewer's and the candidate's words become captions, the interviewer's
 * audio goes to the voice (and the candidate's answers, which end what it still had to say), and the end or
 * an error stops the interview.
 */
export function applySessionEvent(
  event: SessionEvent,
  stream: SessionEventStream,
  targets: SessionEventTargets,
): void {
  const { store, book, queue, voice } = targets;
  switch (event.event) {
    case 'state': {
      const { status, turn, question_index, question_count, time_left_seconds } = event.data;
      queue.stateChanged(turn);
      if (status === 'canceled' || status === 'expired') {
        stream.finish();
        targets.fail(
          new InterviewClientError({
            code: 'session_invalid',
            message: status === 'canceled' ? 'The interview was canceled.' : 'The interview has expired.',
            retryable: false,
          }),
        );
        return;
      }
      if (status === 'completed') targets.completing();
      store.set({
        turn: status === 'in_progress' ? turn : 'none',
        questionIndex: question_index,
        questionCount: question_count,
        timeLeftSeconds: time_left_seconds,
      });
      store.anchorCountdown(time_left_seconds);
      return;
    }
    case 'interviewer.delta': {
      targets.replying();
      const entry = book.interviewerDelta(event.data.turn_id, event.data.text);
      if (entry) store.emit('transcript', entry);
      return;
    }
    case 'interviewer.audio':
      voice.sessionEvent(event);
      return;
    case 'interviewer.done':
      queue.interviewerDone();
      targets.replying();
      store.emit('transcript', book.interviewerDone(event.data.turn_id, event.data.text));
      voice.sessionEvent(event);
      return;
    case 'candidate.transcript': {
      if (event.data.final) {
        queue.transcriptArrived(event.data.turn_id);
        voice.sessionEvent(event);
      }
      const entry = book.candidate(event.data.turn_id, event.data.text, event.data.final);
      if (entry) store.emit('transcript', entry);
      return;
    }
    case 'interview.completed':
      stream.finish();
      targets.complete(event.data.interview_id, event.data.reason);
      return;
    case 'error': {
      const { code, message } = event.data;
      // The platform's `interviewer_unavailable` turn is tried again when the stream reconnects (`retry()`), or
      // by the platform itself after a while; either way the reply's first words end the error (`replying`). A
      // page that connects without `Last-Event-ID` is sent an old error again, followed by what came after it.
      targets.fail(
        new InterviewClientError({
          code: code === 'interviewer_unavailable' ? 'interviewer_unavailable' : 'unknown',
          message,
          retryable: true,
        }),
      );
      return;
    }
  }
}
