import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { compareIds } from '../../src/sessions/event-ids.ts';
import { MemoryEventBus } from '../../src/sessions/memory-event-bus.ts';
import { RedisEventBus } from '../../src/sessions/redis-event-bus.ts';
import type { DeliveredEvent, SessionEventBus } from '../../src/sessions/session-events.ts';
import { redisUrl } from '../support/harness.ts';

/**
 * Where the interviewer agent's replay ends (`SessionEventBus.lastId`), on both buses. The agent reads it
 * before it subscribes: every event up to it happened before the agent came, and it neither speaks nor
 * forwards anything until delivery has reached it. The id comes from the bus itself, never this process's
 * clock: Redis stamps stream ids with its own.
 */

const keyPrefix = `viva-test:${randomBytes(6).toString('hex')}:session:`;
const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
const buses: { name: string; bus: SessionEventBus }[] = [
  { name: 'MemoryEventBus', bus: new MemoryEventBus() },
  { name: 'RedisEventBus', bus: new RedisEventBus(redis, { keyPrefix }) },
];

afterAll(async () => {
  for (const { bus } of buses) await bus.close();
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const newInterviewId = () => `int_${randomBytes(6).toString('hex')}`;
const delta = (n: number) =>
  ({ type: 'interviewer.delta', data: { turn_id: 'turn_1', text: `${n} ` } }) as const;

describe.each(buses)('$name: the end of a replay', ({ bus }) => {
  it('is nothing for an interview without events', async () => {
    expect(await bus.lastId(newInterviewId())).toBeNull();
  });

  it('is the latest event, as the bus stamped it, through a replay that comes in pages', async () => {
    const interviewId = newInterviewId();
    const ids: string[] = [];
    // More than the Redis bus's page of 200, so the replay has a wait between its pages.
    for (let n = 0; n < 450; n++) ids.push(await bus.publish(interviewId, delta(n)));
    const replayTo = await bus.lastId(interviewId);
    expect(replayTo).toBe(ids.at(-1));

    const controller = new AbortController();
    const delivered: DeliveredEvent[] = [];
    let live: DeliveredEvent | null = null;
    for await (const event of bus.subscribe(interviewId, null, controller.signal)) {
      if (compareIds(event.id, replayTo!) <= 0) {
        delivered.push(event);
        // The replay is over: what comes now happened after the subscriber came.
        if (event.id === replayTo) void bus.publish(interviewId, delta(450));
        continue;
      }
      live = event;
      controller.abort();
    }
    expect(delivered.map((e) => e.id)).toEqual(ids);
    expect(live?.event).toEqual(delta(450));
    expect(await bus.lastId(interviewId)).toBe(live?.id);
  });
});
