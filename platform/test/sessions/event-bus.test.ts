import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryEventBus } from '../../src/sessions/memory-event-bus.ts';
import { RedisEventBus, type RedisEventBusOptions } from '../../src/sessions/redis-event-bus.ts';
import type { SessionEvent } from '../../src/sessions/session-events.ts';
import {
  contractMaxLength,
  delta,
  describeEventBusContract,
  follow,
  newInterviewId,
  publishMany,
} from './event-bus-contract.ts';

const redisUrl = process.env.VIVA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every key of this run lives under it, so parallel runs don't collide and cleanup finds them all. */
const keyPrefix = `viva-test:${randomBytes(6).toString('hex')}:session:`;
const clients: Redis[] = [];

/** One "platform instance": its own ioredis client (named, so CLIENT LIST can find its connections). */
function instance(options: RedisEventBusOptions = {}) {
  const connectionName = `viva-test-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(redisUrl, { connectionName, lazyConnect: true, maxRetriesPerRequest: 2 });
  clients.push(redis);
  const bus = new RedisEventBus(redis, { keyPrefix, maxLength: contractMaxLength, ...options });
  return { redis, bus, connectionName };
}

afterAll(async () => {
  const redis = new Redis(redisUrl);
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${keyPrefix}*`, count: 1000 }))
    keys.push(...(batch as string[]));
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  for (const client of clients) client.disconnect();
});

describeEventBusContract('MemoryEventBus', async () => {
  const bus = new MemoryEventBus({ maxLength: contractMaxLength });
  return { bus, retentionSlack: 0, stop: () => bus.close() };
});

describeEventBusContract('RedisEventBus', async () => {
  const { bus, redis } = instance();
  // Redis trims `MAXLEN ~` by whole stream nodes (`stream-node-max-entries`, 100 by default).
  return { bus, retentionSlack: 100, stop: () => bus.close().then(() => redis.disconnect()) };
});

describe('RedisEventBus across platform instances', () => {
  let a: ReturnType<typeof instance>;
  let b: ReturnType<typeof instance>;
  beforeAll(() => {
    a = instance();
    b = instance({ blockMs: 30_000 });
  });
  afterAll(async () => {
    await a.bus.close();
    await b.bus.close();
  });

  it('delivers live what one instance publishes to a subscriber on another', async () => {
    const interviewId = newInterviewId();
    const [first] = await publishMany(a.bus, interviewId, 1);
    const sub = follow(b.bus, interviewId, first!);
    await vi.waitFor(() => expect(b.bus.subscriberCount).toBeGreaterThanOrEqual(1));
    const ids = await publishMany(a.bus, interviewId, 3, 1);
    await sub.waitFor(3);
    await sub.stop();
    expect(sub.received.map((e) => e.id)).toEqual(ids);
  });

  it('replays to a subscriber that starts after the events were published, then goes live', async () => {
    const interviewId = newInterviewId();
    const ids = await publishMany(a.bus, interviewId, 5);
    const late = instance();
    const sub = follow(late.bus, interviewId, null);
    await sub.waitFor(5);
    ids.push(...(await publishMany(a.bus, interviewId, 2, 5)));
    await sub.waitFor(7);
    await late.bus.close();
    expect(sub.received.map((e) => e.id)).toEqual(ids);
  });

  it('serves every subscription of an instance over one reader connection', async () => {
    const subs = Array.from({ length: 50 }, () => follow(b.bus, newInterviewId(), null));
    await vi.waitFor(() => expect(b.bus.subscriberCount).toBeGreaterThanOrEqual(50));
    const list = String(await a.redis.client('LIST'));
    const names = list.split('\n').filter((line) => line.includes(`name=${b.connectionName}`));
    expect(names, list).toHaveLength(2); // the command client and the shared reader
    await Promise.all(subs.map((sub) => sub.stop()));
  });

  it('picks up a new subscriber at once while the shared read is blocked', async () => {
    // b blocks for 30 s per read: only CLIENT UNBLOCK can make the read include a stream subscribed later.
    const waiting = follow(b.bus, newInterviewId(), null);
    await vi.waitFor(() => expect(b.bus.subscriberCount).toBeGreaterThanOrEqual(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const interviewId = newInterviewId();
    const newcomer = follow(b.bus, interviewId, null);
    await vi.waitFor(() => expect(b.bus.subscriberCount).toBeGreaterThanOrEqual(2));
    await new Promise((resolve) => setTimeout(resolve, 20)); // past its (empty) replay
    await a.bus.publish(interviewId, delta(1));
    await newcomer.waitFor(1, 1000);
    await Promise.all([waiting.stop(), newcomer.stop()]);
  });

  it('resumes without gaps or repeats after its reader connection is killed', async () => {
    const interviewId = newInterviewId();
    const sub = follow(b.bus, interviewId, null);
    const ids = await publishMany(a.bus, interviewId, 3);
    await sub.waitFor(3);
    await a.redis.client(
      'KILL',
      'ADDR',
      readerAddress(String(await a.redis.client('LIST')), b.connectionName),
    );
    ids.push(...(await publishMany(a.bus, interviewId, 3, 3)));
    await sub.waitFor(6, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sub.stop();
    expect(sub.received.map((e) => e.id)).toEqual(ids);
  });

  it('sets an expiry on every interview stream', async () => {
    const interviewId = newInterviewId();
    await a.bus.publish(interviewId, delta(0));
    const ttl = await a.redis.ttl(`${keyPrefix}${interviewId}`);
    expect(ttl).toBeGreaterThan(23 * 60 * 60);
    expect(ttl).toBeLessThanOrEqual(24 * 60 * 60);
  });

  it('keeps the stream of an ended interview for 5 minutes from its end, not a day', async () => {
    const ttlAfter = async (last: SessionEvent) => {
      const interviewId = newInterviewId();
      await a.bus.publish(interviewId, delta(0));
      await a.bus.publish(interviewId, last);
      return a.redis.ttl(`${keyPrefix}${interviewId}`);
    };
    const state = (status: 'in_progress' | 'completed' | 'canceled' | 'expired'): SessionEvent => ({
      type: 'state',
      data: { status, question_index: 0, question_count: 2, time_left_seconds: 0, turn: 'none' },
    });
    const completed: SessionEvent = {
      type: 'interview.completed',
      data: { interview_id: 'int_1', reason: 'questions_done' },
    };
    for (const last of [completed, state('completed'), state('canceled'), state('expired')]) {
      const ttl = await ttlAfter(last);
      expect(ttl, JSON.stringify(last)).toBeGreaterThan(4 * 60);
      expect(ttl, JSON.stringify(last)).toBeLessThanOrEqual(5 * 60);
    }
    expect(await ttlAfter(state('in_progress'))).toBeGreaterThan(23 * 60 * 60);

    // A straggler after the end (a late transcript) does not keep the stream, and its audio, for a day.
    const interviewId = newInterviewId();
    await a.bus.publish(interviewId, completed);
    await a.bus.publish(interviewId, delta(1));
    expect(await a.redis.xlen(`${keyPrefix}${interviewId}`)).toBe(2);
    expect(await a.redis.ttl(`${keyPrefix}${interviewId}`)).toBeLessThanOrEqual(5 * 60);
  });
});

/** The address of the connection blocked in XREAD among those named `name`. */
function readerAddress(list: string, name: string): string {
  const line = list.split('\n').find((l) => l.includes(`name=${name}`) && l.includes('cmd=xread'));
  const addr = line?.match(/ addr=(\S+)/)?.[1];
  if (!addr) throw new Error(`no blocked reader named ${name} in:\n${list}`);
  return addr;
}

describe('MemoryEventBus', () => {
  it('forgets interviews idle for longer than idleMs, but not ones still being followed', async () => {
    const bus = new MemoryEventBus({ idleMs: 30 });
    const idle = newInterviewId();
    const followed = newInterviewId();
    await bus.publish(idle, delta(0));
    const [kept] = await publishMany(bus, followed, 1);
    const follower = follow(bus, followed, null);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const late = follow(bus, idle, null);
    const second = follow(bus, followed, null);
    await second.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([late.stop(), second.stop(), follower.stop()]);
    expect(late.received).toEqual([]);
    expect(second.received.map((e) => e.id)).toEqual([kept]);
    await bus.close();
  });

  it('forgets an ended interview after endedIdleMs, whatever is published after its end', async () => {
    const bus = new MemoryEventBus({ endedIdleMs: 30 });
    const ended = newInterviewId();
    const going = newInterviewId();
    await bus.publish(ended, delta(0));
    await bus.publish(ended, {
      type: 'interview.completed',
      data: { interview_id: ended, reason: 'questions_done' },
    });
    // A straggler after the end (a late transcript) does not bring the interview back to life.
    await bus.publish(ended, delta(1));
    const [kept] = await publishMany(bus, going, 1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    const late = follow(bus, ended, null);
    const other = follow(bus, going, null);
    await other.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([late.stop(), other.stop()]);
    expect(late.received).toEqual([]);
    expect(other.received.map((e) => e.id)).toEqual([kept]);
    await bus.close();
  });
});
