import { ApiError } from '../http/api-error.ts';
import { maxAnswerBytes, maxAnswerSeconds } from '../sessions/audio-answer.ts';

/**
 * An audio answer is at most `maxAnswerSeconds` long and `maxAnswerBytes` large, however it came: uploaded
 * (where the body limit has already refused more bytes, with 413) or spoken in a LiveKit room, which has no
 * upload to limit. The one place both limits are checked, before anything is stored or transcribed.
 */
export function assertWithinAnswerLimits(audio: { bytes: Buffer; durationMs: number | null }): void {
  if (audio.bytes.length > maxAnswerBytes) {
    throw new ApiError(
      'payload_too_large',
      `The audio answer is ${audio.bytes.length} bytes; an answer may be at most ${maxAnswerBytes} bytes.`,
    );
  }
  if (audio.durationMs !== null && audio.durationMs > maxAnswerSeconds * 1000) {
    const seconds = (audio.durationMs / 1000).toFixed(1);
    throw new ApiError(
      'invalid_request',
      `The audio answer lasts ${seconds} seconds; an answer may last at most ${maxAnswerSeconds} seconds.`,
    );
  }
}
