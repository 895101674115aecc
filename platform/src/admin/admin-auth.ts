import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error.ts';

/** Wrong operator keys one client address may send in a window before the address is refused. */
export const failuresPerAddress = 10;
/**
 * Wrong operator keys all addresses together may send in a window before every request is refused: the
 * bound on guessing from many addresses, or from a client that forges `X-Forwarded-For` to look like many
 * (the platform trusts the header, as it must behind a load balancer). Its price: during an attack the
 * operator is refused too, until the window ends; the CLI, which needs no key, still works.
 */
export const failuresOverall = 100;
/** How long a window of failures lasts; an address or the whole API refused is refused until it ends. */
export const failureWindowSeconds = 60;

const digestOf = (key: string) => createHash('sha256').update(key).digest();

export interface AdminGate {
  /** Lets the request through if it carries the operator key; throws `unauthenticated` or `rate_limited`. */
  check(ctx: Context): Promise<void>;
}

/**
 * The operator key's check, with failed attempts throttled so the key cannot be guessed at speed. Counted in
 * process: with several instances a guesser gets that many times the attempts, which against a key of at
 * least 24 characters still buys nothing.
 */
export function adminGate(adminKey: string | null): AdminGate {
  const perAddress = new RateLimiterMemory({ points: failuresPerAddress, duration: failureWindowSeconds });
  const overall = new RateLimiterMemory({ points: failuresOverall, duration: failureWindowSeconds });
  return {
    async check(ctx) {
      if (adminKey === null) {
        throw unauthenticated('The operator API is off: set VIVA_ADMIN_KEY to enable it.');
      }
      // Refused before the key is compared, the right one included: otherwise the refusal would not slow guessing.
      const [byAddress, byAll] = await Promise.all([perAddress.get(ctx.ip), overall.get('all')]);
      const exhausted = [byAddress, byAll].find((res) => res !== null && res.remainingPoints <= 0);
      if (exhausted) throw throttled(exhausted.msBeforeNext);

      const given = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      if (given === undefined) throw unauthenticated();
      // Compared by digest: both sides are 32 bytes whatever was sent, so a header of another byte length
      // (non-ASCII characters) neither throws in `timingSafeEqual` nor tells how long the key is.
      if (timingSafeEqual(digestOf(given), digestOf(adminKey))) return;

      const [failuresHere, failuresAll] = await Promise.all([
        spend(perAddress, ctx.ip),
        spend(overall, 'all'),
      ]);
      // Never the key that was sent: a near miss, or the operator's key pasted with a typo, is a secret too.
      ctx.state.log.warn(
        { ip: ctx.ip, failures_from_address: failuresHere, failures_overall: failuresAll },
        'a request to the operator API sent a wrong operator key',
      );
      throw unauthenticated();
    },
  };
}

/** Counts one failure, and returns how many there are in the window (a full limiter rejects, but counts). */
async function spend(limiter: RateLimiterMemory, key: string): Promise<number> {
  const res = await limiter.consume(key).catch((rejection: unknown) => {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  });
  return res.consumedPoints;
}

function unauthenticated(
  detail = 'Send the operator key as "Authorization: Bearer $VIVA_ADMIN_KEY".',
): ApiError {
  return new ApiError('unauthenticated', detail, {
    headers: { 'WWW-Authenticate': 'Bearer realm="viva-admin"' },
  });
}

function throttled(msLeft: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil(msLeft / 1000));
  return new ApiError(
    'rate_limited',
    `Too many wrong operator keys were sent; retry after ${retryAfter} s.`,
    { headers: { 'Retry-After': String(retryAfter) } },
  );
}
