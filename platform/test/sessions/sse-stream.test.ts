import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryEventBus } from '../../src/sessions/memory-event-bus.ts';
import type { SessionEventBus } from '../../src/sessions/session-events.ts';
import { openSse, pipeEvents } from '../../src/sessions/sse-stream.ts';
import { delta, newInterviewId, publishMany } from './event-bus-contract.ts';

/** One SSE message block as the wire carried it: its fields, and any comment lines. */
interface Block {
  fields: Record<string, string>;
  comments: string[];
}

interface Reader {
  response: Response;
  blocks: Block[];
  /** Resolves when the server ends the response (or the client closes it). */
  ended: Promise<void>;
  events(): { id: string; event: string; data: unknown }[];
  waitFor(test: (blocks: Block[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Reads an event stream with fetch, as the widget does, splitting blocks the way the SSE spec does. */
async function read(url: string, lastEventId?: string): Promise<Reader> {
  const controller = new AbortController();
  const headers: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {};
  const response = await fetch(url, { headers, signal: controller.signal });
  const blocks: Block[] = [];
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body ?? []) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block: Block = { fields: {}, comments: [] };
        for (const line of buffer.slice(0, end).split('\n')) {
          if (line.startsWith(':')) block.comments.push(line.slice(1).trim());
          else if (line.includes(':')) {
            const at = line.indexOf(':');
            if (line.slice(0, at) in block.fields) throw new Error(`field repeated in one block: ${line}`);
            block.fields[line.slice(0, at)] = line.slice(at + 1).replace(/^ /, '');
          }
        }
        blocks.push(block);
        buffer = buffer.slice(end + 2);
      }
    }
  })().catch(() => undefined);
  const events = () =>
    blocks
      .filter((b) => b.fields.event)
      .map((b) => ({
        id: b.fields.id ?? '',
        event: b.fields.event ?? '',
        data: JSON.parse(b.fields.data ?? ''),
      }));
  return {
    response,
    blocks,
    ended,
    events,
    waitFor: (test, timeout = 5000) =>
      vi.waitFor(() => expect(test(blocks), JSON.stringify(blocks)).toBe(true), { timeout, interval: 5 }),
    close: () => controller.abort(),
  };
}

describe('SSE stream', () => {
  const bus = new MemoryEventBus();
  /** What Koa reports as errors: a client going away must not be one of them. */
  const appErrors: Error[] = [];
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = new Koa();
    app.on('error', (error: Error) => appErrors.push(error));
    app.use(async (ctx) => {
      const [, route, interviewId = ''] = ctx.path.split('/');
      const sse = openSse(ctx, {
        heartbeatMs: 50,
        maxBufferedBytes: route === 'small-buffer' ? 64 * 1024 : undefined,
      });
      const failing: SessionEventBus = {
        publish: () => Promise.reject(new Error('unused')),
        lastId: () => Promise.reject(new Error('unused')),
        // biome-ignore lint/correctness/useYield: fails before its first event, as a lost Redis would
        subscribe: async function* () {
          throw new Error('bus unavailable');
        },
        close: async () => {},
      };
      void pipeEvents(
        route === 'failing' ? failing : bus,
        interviewId,
        ctx.get('last-event-id') || null,
        sse,
      );
    });
    server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    expect(appErrors).toEqual([]);
    await bus.close();
    server.closeAllConnections();
    server.close();
  });

  it('answers with event-stream headers, a retry hint first, then heartbeat comments', async () => {
    const stream = await read(`${base}/events/${newInterviewId()}`);
    const headers = Object.fromEntries(stream.response.headers);
    expect(stream.response.status, JSON.stringify(headers)).toBe(200);
    expect(headers).toMatchObject({
      'content-type': 'text/event-stream',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    await stream.waitFor((blocks) => blocks.filter((b) => b.comments.includes('ping')).length >= 3, 2000);
    stream.close();
    expect(stream.blocks[0]).toEqual({ fields: { retry: '3000' }, comments: [] });
  });

  it('sends each event with its bus id, its type as the event name and its data as one JSON line', async () => {
    const interviewId = newInterviewId();
    const stream = await read(`${base}/events/${interviewId}`);
    const ids = await publishMany(bus, interviewId, 3);
    const done = {
      type: 'interview.completed',
      data: { interview_id: interviewId, reason: 'done' },
    } as const;
    ids.push(await bus.publish(interviewId, done));
    await stream.waitFor(() => stream.events().length === 4);
    stream.close();
    expect(stream.events()).toEqual([
      ...[0, 1, 2].map((n) => ({ id: ids[n], event: 'interviewer.delta', data: delta(n).data })),
      { id: ids[3], event: 'interview.completed', data: done.data },
    ]);
  });

  it('ends after the interview’s last event: interview.completed, or a canceled or expired state', async () => {
    const state = (status: 'completed' | 'canceled' | 'expired') =>
      ({
        type: 'state',
        data: { status, question_index: 0, question_count: 1, time_left_seconds: 0, turn: 'none' },
      }) as const;
    for (const last of [
      { type: 'interview.completed', data: { interview_id: 'int_x', reason: 'questions_done' } } as const,
      state('canceled'),
      state('expired'),
    ]) {
      const interviewId = newInterviewId();
      const stream = await read(`${base}/events/${interviewId}`);
      // A completed state is followed by interview.completed: the stream stays open for it.
      await bus.publish(interviewId, state('completed'));
      await bus.publish(interviewId, last);
      await bus.publish(interviewId, delta(9)); // a straggler after the end is not sent
      await stream.ended;
      expect(stream.events().map((e) => e.event)).toEqual(['state', last.type]);
    }
  });

  it('resumes after Last-Event-ID over a real reconnect, nothing missed and nothing twice', async () => {
    const interviewId = newInterviewId();
    const ids = await publishMany(bus, interviewId, 3);
    const first = await read(`${base}/events/${interviewId}`);
    await first.waitFor(() => first.events().length === 3);
    first.close();
    ids.push(...(await publishMany(bus, interviewId, 2, 3))); // while nobody is connected
    const lastSeen = first.events().at(-1)?.id;
    const second = await read(`${base}/events/${interviewId}`, lastSeen);
    await second.waitFor(() => second.events().length === 2);
    ids.push(await bus.publish(interviewId, delta(5))); // live again
    await second.waitFor(() => second.events().length === 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    second.close();
    expect([...first.events(), ...second.events()].map((e) => e.id)).toEqual(ids);
  });

  it('ends the server-side subscription when the client disconnects', async () => {
    await vi.waitFor(() => expect(bus.subscriberCount).toBe(0)); // the earlier tests' streams are gone too
    const stream = await read(`${base}/events/${newInterviewId()}`);
    await vi.waitFor(() => expect(bus.subscriberCount).toBe(1));
    stream.close();
    await vi.waitFor(() => expect(bus.subscriberCount).toBe(0));
  });

  it('closes the stream of a client that stops reading, rather than buffer the interview for it', async () => {
    await vi.waitFor(() => expect(bus.subscriberCount).toBe(0));
    const interviewId = newInterviewId();
    const controller = new AbortController();
    const response = await fetch(`${base}/small-buffer/${interviewId}`, { signal: controller.signal });
    expect(response.status).toBe(200); // and its body is never read
    await vi.waitFor(() => expect(bus.subscriberCount).toBe(1));
    const text = 'x'.repeat(64 * 1024);
    for (let n = 0; n < 300 && bus.subscriberCount > 0; n++) {
      await bus.publish(interviewId, { type: 'interviewer.delta', data: { turn_id: 'turn_1', text } });
      await new Promise((resolve) => setImmediate(resolve)); // let the socket take what it will
    }
    expect(bus.subscriberCount).toBe(0);
    controller.abort();
  });

  it('ends at once a stream whose client left while the request was still being admitted', async () => {
    const app = new Koa();
    let opened: AbortSignal | null = null;
    app.use(async (ctx) => {
      // Authentication and the rate limit take their time; the client gives up meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 200));
      opened = openSse(ctx, { heartbeatMs: 50 }).signal;
    });
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      socket.write('GET / HTTP/1.1\r\nHost: viva.test\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await vi.waitFor(() => expect(opened).not.toBeNull());
      expect(opened!.aborted, 'ended, so its slot and its timers are let go').toBe(true);
    } finally {
      server.close();
    }
  });

  it('closes the stream when the bus fails, so the client reconnects', async () => {
    const stream = await read(`${base}/failing/${newInterviewId()}`);
    await stream.ended;
    expect(stream.blocks).toEqual([{ fields: { retry: '3000' }, comments: [] }]);
  });
});
