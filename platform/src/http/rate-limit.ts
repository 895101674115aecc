import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from './api-error.ts';

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * Who spends a request's budgets. An API key spends its own and its tenant's; a widget's session token spends
 * its interview's and its tenant's pool for sessions. The two pools are apart: what candidates' pages send,
 * however much, never gets the integrator's own calls refused.
 */
export type Spender =
  | { kind: 'api_key'; keyId: string; tenantId: string }
  | { kind: 'session'; interviewId: string; tenantId: string };

export interface RateLimiter {
  /**
   * Spends one request of the spender's own budget and then, if it had any left, of its tenant's pool;
   * throws `rate_limited` when either is spent.
   */
  consume(spender: Spender): Promise<RateLimitState>;
}

export interface RateLimitOptions {
  /** Requests per second for one API key, and for one interview's session tokens together. */
  perKey: number;
  /**
   * Requests per second for all of a tenant's keys together, and separately for all of its interviews'
   * session tokens together.
   */
  perTenant: number;
  /**
   * Where the budgets are shared, if anywhere: a connection that fails a command at once, or within a short
   * bound, while Redis is out of reach, since every request waits for it before it falls back.
   */
  redis: Redis | null;
}

/** One budget: the window that counts it (its Redis key), its limit, and its name in a refusal. */
interface Budget {
  window: string;
  limit: number;
  what: string;
}

/** The two budgets a request spends, in order: the spender's own, then its tenant's pool. */
function budgetsOf(spender: Spender, options: RateLimitOptions): [own: Budget, pool: Budget] {
  if (spender.kind === 'api_key') {
    return [
      { window: `viva:rl:key:${spender.keyId}`, limit: options.perKey, what: 'API key' },
      { window: `viva:rl:tenant:${spender.tenantId}`, limit: options.perTenant, what: 'account' },
    ];
  }
  return [
    { window: `viva:rl:interview:${spender.interviewId}`, limit: options.perKey, what: 'interview session' },
    {
      window: `viva:rl:sessions:${spender.tenantId}`,
      limit: options.perTenant,
      what: "account's interview sessions",
    },
  ];
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
  if (!options.redis) {
    return { consume: async (spender) => stateOf(await inMemory(budgetsOf(spender, options))) };
  }
  const inRedis = redisBudgets(options.redis);
  return {
    async consume(spender) {
      const budgets = budgetsOf(spender, options);
      let spent: Spent[];
      try {
        spent = await inRedis(budgets);
      } catch {
        spent = await inMemory(budgets);
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
local ownUsed, ownTtl = spend(KEYS[1], ARGV[2])
if ownUsed > tonumber(ARGV[1]) then return {ownUsed, ownTtl} end
local poolUsed, poolTtl = spend(KEYS[2], ARGV[2])
return {ownUsed, ownTtl, poolUsed, poolTtl}
`;

type SpendBoth = (
  ownWindow: string,
  poolWindow: string,
  ownLimit: number,
  seconds: number,
) => Promise<number[]>;

function redisBudgets(redis: Redis) {
  redis.defineCommand('vivaSpendBudgets', { numberOfKeys: 2, lua: spendBothScript });
  const spendBoth = (redis as unknown as { vivaSpendBudgets: SpendBoth }).vivaSpendBudgets.bind(redis);
  return async ([own, pool]: [Budget, Budget]): Promise<Spent[]> => {
    const [ownUsed = 0, ownMs = 0, poolUsed, poolMs] = await spendBoth(own.window, pool.window, own.limit, 1);
    const spent: Spent[] = [{ limit: own.limit, used: ownUsed, msLeft: ownMs, what: own.what }];
    if (poolUsed !== undefined && poolMs !== undefined) {
      spent.push({ limit: pool.limit, used: poolUsed, msLeft: poolMs, what: pool.what });
    }
    return spent;
  };
}

/**
 * The same windows in this process: an own budget (a key's or an interview's) in one limiter, a tenant's pool
 * in the other, each told apart from the others in its limiter by its window's name.
 */
function inMemoryBudgets(options: RateLimitOptions) {
  const own = new RateLimiterMemory({ points: options.perKey, duration: 1 });
  const pool = new RateLimiterMemory({ points: options.perTenant, duration: 1 });
  const spend = async (limiter: RateLimiterMemory, budget: Budget): Promise<Spent> => {
    let res: RateLimiterRes;
    try {
      res = await limiter.consume(budget.window);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      res = error;
    }
    return { limit: budget.limit, used: res.consumedPoints, msLeft: res.msBeforeNext, what: budget.what };
  };
  return async ([ownBudget, poolBudget]: [Budget, Budget]): Promise<Spent[]> => {
    const spentOwn = await spend(own, ownBudget);
    if (spentOwn.used > spentOwn.limit) return [spentOwn];
    return [spentOwn, await spend(pool, poolBudget)];
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
