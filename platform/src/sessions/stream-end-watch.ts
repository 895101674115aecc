import type { EntityManager } from '@mikro-orm/postgresql';
import { type SessionInterview, sessionEnded } from './session-auth.ts';
import type { SseStream } from './sse-stream.ts';

/**
 * Closes a session's event stream once its interview is seen ended on two checks in a row, `everyMs` apart.
 * The stream ends by itself on the event that ends the interview; this is for an end that event never
 * announced. The second look gives an end being announced right now time to reach the stream first, and the
 * widget that reconnects after the close is told how its interview ended by the token's 401.
 */
export function closeWhenEnded(
  em: EntityManager,
  session: SessionInterview,
  sse: SseStream,
  everyMs: number,
): void {
  let endedBefore = false;
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    sessionEnded(em, session)
      .then(
        (ended) => {
          if (ended && endedBefore) sse.close();
          endedBefore = ended;
        },
        // A failed read says nothing either way: the next one decides.
        () => undefined,
      )
      .finally(() => {
        reading = false;
      });
  }, everyMs);
  timer.unref();
  sse.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
