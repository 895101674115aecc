import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/api-error.ts';
import { StreamLimit } from '../../src/sessions/stream-limit.ts';

describe('StreamLimit', () => {
  it('admits streams up to the cap per interview, counting each interview apart', () => {
    const limit = new StreamLimit(2);
    limit.admit('int_a');
    limit.admit('int_a');
    expect(() => limit.admit('int_a')).toThrow(ApiError);
    expect(() => limit.admit('int_b')).not.toThrow();
  });

  it('refuses with rate_limited and a Retry-After', () => {
    const limit = new StreamLimit(1);
    limit.admit('int_a');
    let refusal: unknown;
    try {
      limit.admit('int_a');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).code).toBe('rate_limited');
    expect(Number((refusal as ApiError).headers['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('gives a place back once per stream, however often its release is called', () => {
    const limit = new StreamLimit(2);
    const release = limit.admit('int_a');
    limit.admit('int_a');
    release();
    release();
    limit.admit('int_a');
    expect(() => limit.admit('int_a')).toThrow(ApiError);
  });
});
