import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from './api-error.ts';

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export interface RateLimiter {
  /**
   * Spends one request of the key's budget and then, if the key had any left, of the tenant's; throws
   * `rate_limited` when either is spent.
   */
  consume(keyId: string, tenantId: string): Promise<RateLimitState>;
}

export interface RateLimitOptions {
  /** Requests per second for one API key. */
  perKey: number;
  /** Requests per second for all of a tenant's keys together. */
  perTenant: number;
  /**
   * Where the budgets are shared, if anywhere: a connection that fails a command at once, or within a short
   * bound, while Redis is out of reach, since every request waits for it before it falls back.
   */
  redis: Redis | null;
}

/** One budget's window after a request was counted in it. */
interface Spent {
  limit: number;
  used: number;
  msLeft: number;
  what: string;
}

/**
 * Fixed one-second windows: in Redis when configured, so every instance shares the budgets (with in-memory
 * limiters as insurance while Redis does not answer: each instance then allows the whole budget on its
 * own), in process otherwise.
 */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const inMemory = inMemoryBudgets(options);
  if (!options.redis) return { consume: async (keyId, tenantId) => stateOf(await inMemory(keyId, tenantId)) };
  const inRedis = redisBudgets(options, options.redis);
  return {
    async consume(keyId, tenantId) {
      let spent: Spent[];
      try {
        spent = await inRedis(keyId, tenantId);
      } catch {
        spent = await inMemory(keyId, tenantId);
      }
      return stateOf(spent);
    },
  };
}

/**
 * Both budgets in one script, so a request costs one Redis round trip, not one per budget (which is all
 * rate-limiter-flexible offers). The windows are the ones rate-limiter-flexible keeps, under the same keys,
 * so an instance running either counts against the same budgets.
 */
const spendBothScript = `
local function spend(window, seconds)
  redis.call('set', window, 0, 'EX', seconds, 'NX')
  local used = redis.call('incr', window)
  local ttl = redis.call('pttl', window)
  if ttl == -1 then
    redis.call('expire', window, seconds)
    ttl = 1000 * seconds
  end
  return used, ttl
end
local keyUsed, keyTtl = spend(KEYS[1], ARGV[2])
if keyUsed > tonumber(ARGV[1]) then return {keyUsed, keyTtl} end
local tenantUsed, tenantTtl = spend(KEYS[2], ARGV[2])
return {keyUsed, keyTtl, tenantUsed, tenantTtl}
`;

type SpendBoth = (
  keyWindow: string,
  tenantWindow: string,
  keyLimit: number,
  seconds: number,
) => Promise<number[]>;

function redisBudgets(options: RateLimitOptions, redis: Redis) {
  redis.defineCommand('vivaSpendBudgets', { numberOfKeys: 2, lua: spendBothScript });
  const spendBoth = (redis as unknown as { vivaSpendBudgets: SpendBoth }).vivaSpendBudgets.bind(redis);
  return async (keyId: string, tenantId: string): Promise<Spent[]> => {
    const [keyUsed = 0, keyMs = 0, tenantUsed, tenantMs] = await spendBoth(
      `viva:rl:key:${keyId}`,
      `viva:rl:tenant:${tenantId}`,
      options.perKey,
      1,
    );
    const spent: Spent[] = [{ limit: options.perKey, used: keyUsed, msLeft: keyMs, what: 'API key' }];
    if (tenantUsed !== undefined && tenantMs !== undefined) {
      spent.push({ limit: options.perTenant, used: tenantUsed, msLeft: tenantMs, what: 'account' });
    }
    return spent;
  };
}

function inMemoryBudgets(options: RateLimitOptions) {
  const perKey = new RateLimiterMemory({ points: options.perKey, duration: 1, keyPrefix: 'key' });
  const perTenant = new RateLimiterMemory({ points: options.perTenant, duration: 1, keyPrefix: 'tenant' });
  const spend = async (limiter: RateLimiterAbstract, id: string, what: string): Promise<Spent> => {
    let res: RateLimiterRes;
    try {
      res = await limiter.consume(id);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      res = error;
    }
    return { limit: limiter.points, used: res.consumedPoints, msLeft: res.msBeforeNext, what };
  };
  return async (keyId: string, tenantId: string): Promise<Spent[]> => {
    const key = await spend(perKey, keyId, 'API key');
    if (key.used > key.limit) return [key];
    return [key, await spend(perTenant, tenantId, 'account')];
  };
}

/** The state to report, or `rate_limited` for the first budget that ran out. */
function stateOf(spent: Spent[]): RateLimitState {
  const states = spent.map((budget) => {
    if (budget.used > budget.limit) throw refusal(budget);
    return {
      limit: budget.limit,
      remaining: Math.max(budget.limit - budget.used, 0),
      resetSeconds: Math.ceil(budget.msLeft / 1000),
    };
  });
  // Report whichever budget is closer to running out: that is the one the client must respect.
  return states.reduce((closest, state) => (state.remaining < closest.remaining ? state : closest));
}

function refusal(budget: Spent): ApiError {
  const retryAfter = Math.max(1, Math.ceil(budget.msLeft / 1000));
  return new ApiError(
    'rate_limited',
    `Too many requests for this ${budget.what}; retry after ${retryAfter} s.`,
    {
      headers: {
        'Retry-After': String(retryAfter),
        'RateLimit-Limit': String(budget.limit),
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': String(retryAfter),
      },
    },
  );
}
