import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareIds } from '../../src/sessions/event-ids.ts';
import type { DeliveredEvent, SessionEvent, SessionEventBus } from '../../src/sessions/session-events.ts';

export interface EventBusSubject {
  bus: SessionEventBus & { readonly subscriberCount: number };
  /** How many events past `maxLength` the bus may keep (Redis trims approximately). */
  retentionSlack: number;
  stop(): Promise<void>;
}

export const contractMaxLength = 50;

/** A fresh interview per test, so tests never see each other's events. */
export const newInterviewId = () => `int_${randomBytes(6).toString('hex')}`;

export function delta(n: number, turnId = 'turn_1'): SessionEvent {
  return { type: 'interviewer.delta', data: { turn_id: turnId, text: `part ${n}\nwith a line break` } };
}

export interface Follower {
  received: DeliveredEvent[];
  /** Resolves when the subscription's iteration has ended. */
  done: Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Subscribes and records every delivered event in the background, as a streaming handler would. */
export function follow(bus: SessionEventBus, interviewId: string, afterId: string | null): Follower {
  const controller = new AbortController();
  const received: DeliveredEvent[] = [];
  const done = (async () => {
    for await (const delivered of bus.subscribe(interviewId, afterId, controller.signal))
      received.push(delivered);
  })();
  return {
    received,
    done,
    waitFor: (count, timeout = 5000) =>
      vi.waitFor(() => expect(received.length, JSON.stringify(received)).toBeGreaterThanOrEqual(count), {
        timeout,
        interval: 5,
      }),
    stop: () => {
      controller.abort();
      return done;
    },
  };
}

export async function publishMany(bus: SessionEventBus, interviewId: string, count: number, from = 0) {
  const ids: string[] = [];
  for (let n = from; n < from + count; n++) ids.push(await bus.publish(interviewId, delta(n)));
  return ids;
}

const idsOf = (events: DeliveredEvent[]) => events.map((e) => e.id);

/** What every SessionEventBus must do, so the in-process bus can stand in for Redis without surprises. */
export function describeEventBusContract(name: string, start: () => Promise<EventBusSubject>): void {
  describe(`${name} (SessionEventBus contract)`, () => {
    let subject: EventBusSubject;
    let bus: EventBusSubject['bus'];
    beforeAll(async () => {
      subject = await start();
      bus = subject.bus;
    });
    afterAll(() => subject?.stop());

    it('delivers events in publish order, with the ids publish returned, then live ones', async () => {
      const interviewId = newInterviewId();
      const sub = follow(bus, interviewId, null);
      const ids = await publishMany(bus, interviewId, 20);
      await sub.waitFor(20);
      expect(idsOf(sub.received)).toEqual(ids);
      expect(sub.received.map((e) => e.event)).toEqual(ids.map((_, n) => delta(n)));
      const more = await publishMany(bus, interviewId, 5, 20);
      await sub.waitFor(25);
      await sub.stop();
      expect(idsOf(sub.received)).toEqual([...ids, ...more]);
    });

    it('issues strictly increasing ids shaped like Redis stream ids, even within one millisecond', async () => {
      const interviewId = newInterviewId();
      const ids = await Promise.all(
        Array.from({ length: 100 }, (_, n) => bus.publish(interviewId, delta(n))),
      );
      for (const id of ids) expect(id).toMatch(/^\d{13,}-\d+$/);
      for (let n = 1; n < ids.length; n++)
        expect(compareIds(ids[n - 1]!, ids[n]!), `${ids[n - 1]} < ${ids[n]}`).toBe(-1);
    });

    it('replays exactly the events after a given id, none twice, then continues live', async () => {
      const interviewId = newInterviewId();
      const ids = await publishMany(bus, interviewId, 10);
      const sub = follow(bus, interviewId, ids[3]!);
      await sub.waitFor(6);
      const more = await publishMany(bus, interviewId, 3, 10);
      await sub.waitFor(9);
      await new Promise((resolve) => setTimeout(resolve, 50)); // room for a duplicate to show up
      await sub.stop();
      expect(idsOf(sub.received)).toEqual([...ids.slice(4), ...more]);
    });

    it('serves subscribers of one interview at different positions each their own sequence', async () => {
      const interviewId = newInterviewId();
      const ids = await publishMany(bus, interviewId, 10);
      const subs = [null, 2, 8, 9].map((n) => follow(bus, interviewId, n === null ? null : ids[n]!));
      // More subscribers join while events are being published, each after a different event.
      for (let n = 10; n < 30; n++) {
        ids.push(await bus.publish(interviewId, delta(n)));
        if (n % 5 === 0) subs.push(follow(bus, interviewId, ids[n - 3]!));
      }
      const starts = [0, 3, 9, 10, 8, 13, 18, 23];
      await Promise.all(subs.map((sub, n) => sub.waitFor(30 - starts[n]!)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(subs.map((sub) => sub.stop()));
      subs.forEach((sub, n) => {
        expect(idsOf(sub.received), `subscriber ${n}`).toEqual(ids.slice(starts[n]));
      });
    });

    it('replays everything retained when the last id is null or malformed', async () => {
      const interviewId = newInterviewId();
      const ids = await publishMany(bus, interviewId, 5);
      for (const afterId of [null, '', 'garbage', '12-', '1-2-3', ' -1', '99999999999999999999999-0']) {
        const sub = follow(bus, interviewId, afterId);
        await sub.waitFor(5);
        await sub.stop();
        expect(idsOf(sub.received), `after ${JSON.stringify(afterId)}`).toEqual(ids);
      }
    });

    it('an id after the newest event replays nothing and waits for newer ones', async () => {
      const interviewId = newInterviewId();
      const [first] = await publishMany(bus, interviewId, 1);
      const [ms] = first!.split('-');
      const sub = follow(bus, interviewId, `${ms}-999999`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sub.received).toEqual([]);
      await sub.stop();
    });

    it('keeps only the newest events, and a trimmed id replays what is retained', async () => {
      const interviewId = newInterviewId();
      const ids = await publishMany(bus, interviewId, contractMaxLength * 5);
      for (const afterId of [null, ids[0]!]) {
        const sub = follow(bus, interviewId, afterId);
        await sub.waitFor(contractMaxLength);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await sub.stop();
        const kept = sub.received.length;
        expect(kept).toBeGreaterThanOrEqual(contractMaxLength);
        expect(kept).toBeLessThanOrEqual(contractMaxLength + subject.retentionSlack);
        expect(idsOf(sub.received)).toEqual(ids.slice(-kept));
      }
    });

    it('ends the iteration promptly on abort and releases the subscription', async () => {
      const interviewId = newInterviewId();
      const before = bus.subscriberCount;
      await publishMany(bus, interviewId, 2);
      const sub = follow(bus, interviewId, null);
      await sub.waitFor(2);
      await vi.waitFor(() => expect(bus.subscriberCount).toBe(before + 1));
      const started = Date.now();
      await sub.stop();
      expect(Date.now() - started).toBeLessThan(200);
      expect(bus.subscriberCount).toBe(before);

      const aborted = new AbortController();
      aborted.abort();
      const none: DeliveredEvent[] = [];
      for await (const delivered of bus.subscribe(interviewId, null, aborted.signal)) none.push(delivered);
      expect(none).toEqual([]);
    });

    it('releases the subscription when the consumer breaks out of the loop', async () => {
      const interviewId = newInterviewId();
      const before = bus.subscriberCount;
      const live = new AbortController();
      const iteration = (async () => {
        for await (const delivered of bus.subscribe(interviewId, null, live.signal)) return delivered;
      })();
      await vi.waitFor(() => expect(bus.subscriberCount).toBe(before + 1));
      const [id] = await publishMany(bus, interviewId, 1);
      expect((await iteration)?.id).toBe(id);
      expect(bus.subscriberCount).toBe(before);
    });

    it('gives each of 200 concurrent subscribers its own interview events and nothing else', async () => {
      const before = bus.subscriberCount;
      const interviews = Array.from({ length: 200 }, newInterviewId);
      const subs = interviews.map((interviewId) => follow(bus, interviewId, null));
      const published = await Promise.all(
        interviews.map(async (interviewId) => {
          const ids: string[] = [];
          for (let n = 0; n < 3; n++) {
            ids.push(
              await bus.publish(interviewId, {
                type: 'interviewer.delta',
                data: { turn_id: interviewId, text: `${n}` },
              }),
            );
          }
          return ids;
        }),
      );
      await Promise.all(subs.map((sub) => sub.waitFor(3)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(subs.map((sub) => sub.stop()));
      subs.forEach((sub, n) => {
        expect(idsOf(sub.received)).toEqual(published[n]);
        for (const { event } of sub.received) expect(event.data).toMatchObject({ turn_id: interviews[n] });
      });
      expect(bus.subscriberCount).toBe(before);
    });

    it('ends open subscriptions when the bus closes', async () => {
      const other = await start();
      const sub = follow(other.bus, newInterviewId(), null);
      await vi.waitFor(() => expect(other.bus.subscriberCount).toBe(1));
      await other.stop();
      await sub.done;
    });
  });
}
