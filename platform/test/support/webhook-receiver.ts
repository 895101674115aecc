import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  payload: {
    id: string;
    type: string;
    timestamp: string;
    livemode: boolean;
    interview_id: string | null;
    sequence: number | null;
    data: { object: Record<string, unknown> };
  };
  receivedAt: number;
}

/** How the receiver answers one request; the default is 200. */
export type Responder = (req: IncomingMessage, res: ServerResponse, received: ReceivedWebhook) => void;

/** A real HTTP endpoint on loopback that records every request and answers as each test scripts it. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Answers the next requests with these, in order; afterwards with 200. */
  respondWith(...responders: Responder[]): void;
  /** Resolves once `count` requests matching `filter` have arrived. */
  waitFor(
    count: number,
    filter?: (w: ReceivedWebhook) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export const ok: Responder = (_req, res) => res.writeHead(200).end('ok');
export const status =
  (code: number, headers: Record<string, string> = {}, body = ''): Responder =>
  (_req, res) =>
    res.writeHead(code, headers).end(body);

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const queue: Responder[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      let payload: ReceivedWebhook['payload'];
      try {
        payload = JSON.parse(body) as ReceivedWebhook['payload'];
      } catch {
        payload = {
          id: '',
          type: '',
          timestamp: '',
          livemode: false,
          interview_id: null,
          sequence: null,
          data: { object: {} },
        };
      }
      const webhook = { headers, body, payload, receivedAt: Date.now() };
      received.push(webhook);
      (queue.shift() ?? ok)(req, res, webhook);
      for (const wake of waiters) wake();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    respondWith: (...responders) => queue.push(...responders),
    waitFor(count, filter = () => true, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = received.filter(filter);
          if (matching.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(matching);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `received ${received.filter(filter).length} of ${count} webhooks within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
