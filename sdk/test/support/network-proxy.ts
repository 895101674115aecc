import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ProxyAction, ProxyLogEntry } from './protocol.ts';

/**
 * An HTTP proxy between the browser and the platform, so tests can break the network for real: the browser
 * sees its connections reset, exactly as on a flaky train, while the platform keeps running. It forwards
 * every request (CORS preflights included) and streams responses through, event streams too.
 */

interface HeldStream {
  paused: boolean;
  ended: boolean;
  held: Buffer[];
  response: ServerResponse;
  /** What was written so far ends an event: an injected one may go now without splitting the platform's. */
  atBoundary: boolean;
  injected: string[];
}

export interface NetworkProxy {
  url: string;
  log: ProxyLogEntry[];
  act(command: ProxyAction): ProxyLogEntry[] | null;
  close(): Promise<void>;
}

export async function startNetworkProxy(target: string): Promise<NetworkProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const streams = new Set<HeldStream>();
  const log: ProxyLogEntry[] = [];
  const drops: { method: string; path: string; remaining: number }[] = [];
  const delays: { method: string; path: string; remaining: number; ms: number }[] = [];
  const failures: { method: string; path: string; remaining: number; status: number; retryAfter?: string }[] =
    [];
  let down = false;
  let eventsPaused = false;

  function takeDrop(method: string, path: string): boolean {
    const drop = drops.find((d) => d.method === method && d.path === path && d.remaining > 0);
    if (!drop) return false;
    drop.remaining -= 1;
    return true;
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    const entry: ProxyLogEntry = {
      method: req.method ?? 'GET',
      path,
      status: null,
      idempotencyKey: header(req, 'idempotency-key'),
      lastEventId: header(req, 'last-event-id'),
      outcome: 'forwarded',
    };
    log.push(entry);
    const failure = failures.find((f) => f.method === entry.method && f.path === path && f.remaining > 0);
    if (failure) {
      // An overloaded platform, as a load balancer would say it: the request never reaches the platform.
      failure.remaining -= 1;
      entry.status = failure.status;
      entry.outcome = 'failed';
      res.writeHead(failure.status, {
        'content-type': 'application/problem+json',
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-expose-headers': 'retry-after, x-request-id',
        ...(failure.retryAfter ? { 'retry-after': failure.retryAfter } : {}),
      });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Unavailable',
          status: failure.status,
          detail: 'Injected.',
        }),
      );
      req.resume();
      return;
    }
    const drop = takeDrop(entry.method, path);
    const delay = delays.find((d) => d.method === entry.method && d.path === path && d.remaining > 0);
    if (delay) delay.remaining -= 1;
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        entry.status = answer.statusCode ?? null;
        if (drop) {
          // Let the platform finish (and commit) before the browser loses the answer.
          entry.outcome = 'dropped';
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        if (delay) {
          // A slow network on the way back: the platform has answered, the browser hears it later.
          const held = delay.ms;
          answer.pause();
          setTimeout(() => relay(answer), held);
          return;
        }
        relay(answer);
      },
    );
    outgoing.on('error', () => req.socket.destroy());
    // The browser hung up (or was cut): the platform's end of the stream closes too.
    res.on('close', () => outgoing.destroy());
    req.pipe(outgoing);

    function relay(answer: IncomingMessage): void {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        answer.pipe(res);
        return;
      }
      const stream: HeldStream = {
        paused: eventsPaused,
        ended: false,
        held: [],
        response: res,
        atBoundary: true,
        injected: [],
      };
      streams.add(stream);
      answer.on('data', (chunk: Buffer) => {
        if (stream.paused) stream.held.push(chunk);
        else write(stream, chunk);
      });
      answer.on('end', () => {
        stream.ended = true;
        if (stream.paused) return;
        streams.delete(stream);
        res.end();
      });
      res.on('close', () => streams.delete(stream));
    }
  }

  const server = createServer(forward);
  server.on('connection', (socket) => {
    if (down) {
      log.push({
        method: '?',
        path: '?',
        status: null,
        idempotencyKey: null,
        lastEventId: null,
        outcome: 'refused',
      });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  function write(stream: HeldStream, chunk: Buffer): void {
    if (chunk.length > 0) {
      stream.response.write(chunk);
      // A large event (an audio piece) may come in several chunks: only the end of one is a place to inject.
      stream.atBoundary = chunk.at(-1) === 0x0a && chunk.at(-2) === 0x0a;
    }
    if (stream.atBoundary) for (const text of stream.injected.splice(0)) stream.response.write(text);
  }

  function cut(): void {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    streams.clear();
  }

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    act(command) {
      switch (command.action) {
        case 'cut':
          cut();
          return null;
        case 'down':
          down = true;
          cut();
          return null;
        case 'up':
          down = false;
          return null;
        case 'drop-responses':
          drops.push({ method: command.method, path: command.path, remaining: command.count ?? 1 });
          return null;
        case 'delay-responses':
          delays.push({
            method: command.method,
            path: command.path,
            ms: command.ms,
            remaining: command.count ?? 1,
          });
          return null;
        case 'fail-next':
          failures.push({
            method: command.method,
            path: command.path,
            status: command.status,
            remaining: command.count ?? 1,
            ...(command.retryAfter ? { retryAfter: command.retryAfter } : {}),
          });
          return null;
        case 'pause-events':
          eventsPaused = true;
          for (const stream of streams) stream.paused = true;
          return null;
        case 'resume-events':
          eventsPaused = false;
          for (const stream of streams) {
            stream.paused = false;
            for (const chunk of stream.held.splice(0)) write(stream, chunk);
            if (stream.ended) {
              streams.delete(stream);
              stream.response.end();
            }
          }
          return null;
        case 'inject-event':
          for (const stream of streams) {
            stream.injected.push(`event: ${command.event}\ndata: ${JSON.stringify(command.data)}\n\n`);
            if (stream.atBoundary && !stream.paused) write(stream, Buffer.alloc(0));
          }
          return null;
        case 'log':
          return log;
      }
    },
    async close() {
      cut();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

export type { ProxyAction, ProxyLogEntry } from './protocol.ts';
