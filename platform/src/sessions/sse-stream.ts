import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { endsInterview, type SessionEvent, type SessionEventBus } from './session-events.ts';

export interface SseOptions {
  /** A comment this often keeps proxies and load balancers from closing a quiet stream. */
  heartbeatMs?: number;
  /**
   * Unsent bytes allowed for a client that stops reading; past it the stream closes, and the client resumes
   * from its `Last-Event-ID` instead of the server buffering the rest of the interview for it.
   */
  maxBufferedBytes?: number;
}

export interface SseStream {
  /** Writes one event; does nothing once the stream is closed. */
  send(id: string, type: string, data: unknown): void;
  /** Writes a comment line, which clients ignore. */
  comment(text: string): void;
  /** Ends the response and stops the heartbeat; safe to call twice. */
  close(): void;
  /** Aborts when the stream ends, whether the client went away or `close()` was called. */
  readonly signal: AbortSignal;
}

/** How long a browser's EventSource waits before reconnecting after the stream drops. */
const retryMs = 3000;

/** Stream errors that only mean the client went away. */
const clientGone = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);

/** Field values must stay on one line: a newline would start a field the client never meant to get. */
function oneLine(value: string, field: string): string {
  if (/[\r\n]/.test(value))
    throw new Error(`an SSE ${field} cannot contain a line break: ${JSON.stringify(value)}`);
  return value;
}

/**
 * Turns the response into a `text/event-stream`. HTTP framing only: what is sent, and when to stop, is the
 * caller's business (see `pipeEvents`).
 */
export function openSse(ctx: Context, options: SseOptions = {}): SseStream {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const controller = new AbortController();
  const body = new PassThrough();

  ctx.status = 200;
  ctx.set({
    'Content-Type': 'text/event-stream',
    // no-store: the stream carries the whole conversation, which no cache on the way may keep.
    // no-transform: a compressing proxy would hold events back to fill its buffers.
    'Cache-Control': 'no-store, no-transform',
    Connection: 'keep-alive',
    // nginx buffers proxied responses unless told not to.
    'X-Accel-Buffering': 'no',
  });
  // Events are small and latency-bound; the stream outlives any idle timeout the server applies.
  ctx.req.socket.setNoDelay(true);
  ctx.req.socket.setTimeout(0);
  ctx.body = body;
  // Koa reports a streamed body the client stopped reading as an error (printed to stderr unless the app
  // handles 'error'), but a client going away is how every event stream ends.
  const reportError = ctx.onerror.bind(ctx);
  ctx.onerror = (error) => {
    if (!clientGone.has((error as NodeJS.ErrnoException | null)?.code ?? '')) reportError(error);
  };

  const write = (chunk: string) => {
    if (controller.signal.aborted) return;
    body.write(chunk);
    if (body.writableLength > maxBufferedBytes) close();
  };
  const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
  const close = () => {
    if (controller.signal.aborted) return;
    clearInterval(heartbeat);
    controller.abort();
    body.end();
  };
  // `res` closes on a client disconnect as well as after the end is sent (`req` closes too early to use).
  ctx.res.once('close', close);
  // A client that left while the request was still being admitted (authenticated, rate limited) closed `res`
  // before anyone listened: the stream is over before it began, and what it holds must go with it.
  if (ctx.req.socket.destroyed) close();

  write(`retry: ${retryMs}\n\n`);
  return {
    send(id, type, data) {
      write(
        `id: ${oneLine(id, 'id')}\nevent: ${oneLine(type, 'event name')}\ndata: ${JSON.stringify(data ?? null)}\n\n`,
      );
    },
    comment(text) {
      write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
    },
    close,
    signal: controller.signal,
  };
}

/**
 * The last event a stream sends: the interview ended (see endsInterview), save a `completed` state, which
 * `interview.completed` follows. The token is dead after it, so the connection is not held open.
 */
function endsStream(event: SessionEvent): boolean {
  return endsInterview(event) && !(event.type === 'state' && event.data.status === 'completed');
}

/**
 * Streams an interview's events after `lastEventId` to `sse` until its last one (or the client leaves), then
 * closes it. Never rejects (callers fire and forget it, and a rejection nobody handles would stop the
 * process): a failing bus closes the stream, the client reconnects and resumes, and the error goes to
 * `onError`.
 */
export async function pipeEvents(
  bus: SessionEventBus,
  interviewId: string,
  lastEventId: string | null,
  sse: SseStream,
  onError: (error: unknown) => void = () => {},
): Promise<void> {
  try {
    for await (const delivered of bus.subscribe(interviewId, lastEventId, sse.signal)) {
      sse.send(delivered.id, delivered.event.type, delivered.event.data);
      if (endsStream(delivered.event)) break;
    }
  } catch (error) {
    onError(error);
  } finally {
    sse.close();
  }
}
