import type { InterviewError, InterviewState } from '../client/types.ts';
import { isMicrophoneProblem } from './screens/error.ts';

/** What the element's body shows. */
export type Screen = 'loading' | 'starting' | 'pre-check' | 'live' | 'completed' | 'error';

/**
 * The screen for where the interview stands: `localError` is a refusal of the element's own (no client was
 * made), and `started` whether the interview has been live here.
 */
export function screenFor(
  state: InterviewState,
  localError: InterviewError | null,
  started: boolean,
): Screen {
  if (localError) return 'error';
  const { status, session, error } = state;
  switch (status) {
    case 'idle':
    case 'loading':
      return 'loading';
    case 'ready':
      return session ? 'pre-check' : 'loading';
    case 'connecting':
      return 'starting';
    case 'live':
    case 'reconnecting':
      return session ? 'live' : 'starting';
    case 'completed':
      return 'completed';
    default:
      // A refused microphone before the start is answered on the pre-check screen, with its help text.
      if (error && isMicrophoneProblem(error.code) && session && !started) return 'pre-check';
      return 'error';
  }
}
