import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from './api-error.ts';

/**
 * The request body as bytes, refusing more than `limit` before reading it when Content-Length says so,
 * and while reading it when it does not (chunked uploads).
 */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || Number.NaN);
  const tooLarge = () =>
    new ApiError(
      'payload_too_large',
      `The request body is larger than the ${limit} bytes this endpoint accepts.`,
    );
  if (declared > limit) throw tooLarge();
  try {
    return await getRawBody(ctx.req, { limit, length: Number.isNaN(declared) ? undefined : declared });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw tooLarge();
    if (type === 'request.aborted') throw new ApiError('invalid_request', 'The request body was cut short.');
    if (type === 'request.size.invalid') {
      throw new ApiError('invalid_request', 'The request body does not match its Content-Length.');
    }
    throw error;
  }
}

/** Parses a JSON object body; anything but an object (or malformed text) is a clear 400. */
export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ApiError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}.`);
  }
}
