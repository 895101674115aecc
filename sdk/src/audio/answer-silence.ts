/**
 * The silence that ends a spoken answer, within the bounds the platform's interviewer agent takes
 * (`silence_ms` of `POST /v1/session/livekit`), so that an answer ends the same way over HTTP, where the
 * widget decides, and over LiveKit, where the agent does.
 */
export const defaultSilenceMs = 1800;
export const minSilenceMs = 300;
export const maxSilenceMs = 10_000;

/** `requested`, as a whole number of milliseconds within the bounds; the default when it is no number. */
export function answerSilenceMs(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return defaultSilenceMs;
  return Math.min(maxSilenceMs, Math.max(minSilenceMs, Math.round(requested)));
}
