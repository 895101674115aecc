import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { ApiError } from './api-error.ts';

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export interface RateLimiter {
  /** Spends one request of the key's and the tenant's budgets; throws `rate_limited` when either is spent. */
  consume(keyId: string, tenantId: string): Promise<RateLimitState>;
}

export interface RateLimitOptions {
  /** Requests per second for one API key. */
  perKey: number;
  /** Requests per second for all of a tenant's keys together. */
  perTenant: number;
  redis: Redis | null;
}

/**
 * Fixed one-second windows from rate-limiter-flexible: in Redis when configured, so every instance shares
 * the budget (with an in-memory insurance limiter if Redis stops answering), in process otherwise.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const build = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration: 1, keyPrefix });
    if (!options.redis) return memory;
    return new RateLimiterRedis({
      storeClient: options.redis,
      points,
      duration: 1,
      keyPrefix: `viva:rl:${keyPrefix}`,
      insuranceLimiter: memory,
    });
  };
  const perKey = build(options.perKey, 'key');
  const perTenant = build(options.perTenant, 'tenant');

  const spend = async (limiter: RateLimiterAbstract, id: string, what: string): Promise<RateLimitState> => {
    try {
      const res = await limiter.consume(id);
      return {
        limit: limiter.points,
        remaining: res.remainingPoints,
        resetSeconds: Math.ceil(res.msBeforeNext / 1000),
      };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new ApiError('rate_limited', `Too many requests for this ${what}; retry after ${retryAfter} s.`, {
        headers: {
          'Retry-After': String(retryAfter),
          'RateLimit-Limit': String(limiter.points),
          'RateLimit-Remaining': '0',
          'RateLimit-Reset': String(retryAfter),
        },
      });
    }
  };

  return {
    async consume(keyId, tenantId) {
      const key = await spend(perKey, keyId, 'API key');
      const tenant = await spend(perTenant, tenantId, 'account');
      // Report whichever budget is closer to running out: that is the one the client must respect.
      return key.remaining <= tenant.remaining ? key : tenant;
    },
  };
}
