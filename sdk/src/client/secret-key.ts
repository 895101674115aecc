import { InterviewClientError } from './interview-error.ts';

/**
 * A secret API key (`sk_test_…`, `sk_live_…`) pasted where a session token belongs. Any `sk_` prefix, white
 * space around it ignored: a mangled key is still a secret, and it must never leave the page.
 */
export function isSecretKey(token: string): boolean {
  return /^sk_/.test(token.trim());
}

/** What the element and the client log, word for word, when they refuse a secret key. */
export const secretKeyWarning =
  '[viva] A secret API key was given instead of a session token, and nothing was sent. Mint a session token on your server (POST /v1/interviews/{id}/sessions) and give that instead.';

/** The error both report for it: the invalid-link error, with nothing worth retrying. */
export function secretKeyError(): InterviewClientError {
  return new InterviewClientError({
    code: 'session_invalid',
    message: 'A secret API key was given instead of a session token; mint a session token on your server.',
    retryable: false,
  });
}
