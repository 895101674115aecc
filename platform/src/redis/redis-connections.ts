import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isReachProblem } from '../startup-error.ts';

/**
 * How long a request waits for Redis before it goes by its fallback in the process: far above a healthy
 * round trip (well under a millisecond on a local network), far below what a client notices.
 */
const requestRedisTimeoutMs = 300;

/**
 * How long start-up waits for a Redis that answers, but slowly. A busy machine (a deploy starting many
 * processes, a CI runner) can keep the request connection's handshake past its 300 ms command timeout;
 * ioredis then drops that connection and makes it again, and start-up waits for that rather than failing.
 */
const startupDeadlineMs = 10_000;

export interface RedisConnections {
  /** Session events, key-change announcements, readiness: rides out a blip in its offline queue. */
  main: Redis;
  /** What a request asks (its key's change mark, its rate limit): never waits out an outage. */
  requests: Redis;
}

/** The two connections to `url`, not yet connected: `connectRedis` connects them. */
export function redisConnections(url: string, logger: Logger): RedisConnections {
  const main = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    // Commands sent in the same turn of the event loop go out in one write: on the request connection, a
    // request's key check and rate limit, and those of every other request in that turn.
    enableAutoPipelining: true,
  });
  // What a request asks Redis has a fallback in the process, so the request must not wait out an outage in
  // the main connection's offline queue and retries (that took 25 to 38 s a request). This connection fails
  // a command at once while it is not connected, and after `requestRedisTimeoutMs` when Redis does not
  // answer; a command cut off with its connection is failed, not sent again later. A connection that hears
  // nothing for a second is dropped and made again, so a hung Redis is soon failed at once too, and the
  // commands it leaves unanswered do not pile up. Session events stay on the main connection: their
  // blocking reads wait seconds on purpose (and are duplicated from it), and a publish had better ride out
  // a blip than fail.
  const requests = main.duplicate({
    connectionName: 'viva:requests',
    commandTimeout: requestRedisTimeoutMs,
    socketTimeout: 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });
  // Without a listener ioredis prints connection errors outside the JSON logs; readiness reports them.
  main.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  requests.on('error', (err: Error) =>
    logger.warn({ err: err.message, connection: 'viva:requests' }, 'redis connection error'),
  );
  return { main, requests };
}

/**
 * Connects both, for start-up: a Redis that cannot be reached (refused, unknown host, connect timeout) or
 * that refuses us (a wrong password) fails at once with its reason; one that answers too slowly is given
 * until `deadlineMs` to come round.
 */
export async function connectRedis(
  connections: RedisConnections,
  deadlineMs = startupDeadlineMs,
): Promise<void> {
  await Promise.all([whenReady(connections.main, deadlineMs), whenReady(connections.requests, deadlineMs)]);
}

function whenReady(connection: Redis, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError: Error | null = null;
    const settle = (error: Error | null) => {
      clearTimeout(deadline);
      connection.off('ready', onReady);
      connection.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle(null);
    // Redis's own refusal (a wrong password, say) is final too. Anything else (a handshake command timed
    // out, the connection closed under it) ioredis retries by itself.
    const onError = (error: Error) => {
      lastError = error;
      if (isReachProblem(error) || error.name === 'ReplyError') settle(error);
    };
    const deadline = setTimeout(
      () => settle(lastError ?? new Error(`not ready after ${deadlineMs} ms`)),
      deadlineMs,
    );
    connection.on('ready', onReady);
    connection.on('error', onError);
    // Its rejection is "Connection is closed.", which says less than the error events above.
    connection.connect().catch(() => undefined);
  });
}

export function disconnectRedis(connections: { main: Redis | null; requests: Redis | null }): void {
  connections.main?.disconnect();
  connections.requests?.disconnect();
}
