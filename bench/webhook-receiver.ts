/**
 * The webhook receiver of the webhooks benchmark (webhooks.ts), in its own process so that it never shares
 * an event loop with the bench or a worker. A plain node:http server on 127.0.0.1 with keep-alive, which
 * answers 200 as soon as a request's body is in. For every request it notes the `webhook-id`, the time the
 * body was in (wall clock, fractional ms) and the payload's `timestamp` (the event's `created_at`).
 *
 * It talks to the bench over IPC:
 *   { type: 'count' }  → { type: 'count', received, duplicates }   (since start)
 *   { type: 'take' }   → { type: 'taken', ids, receivedAt, eventAt, duplicates, malformed }
 *                        every request since the last take, then forgets them (but not the ids it has
 *                        seen, so a duplicate is noticed across rounds too)
 */
import { createServer } from 'node:http';
import { announceAndServe } from './server-process.ts';

export type ReceiverRequest = { type: 'count' } | { type: 'take' };
export type ReceiverReply =
  | { type: 'count'; received: number; duplicates: number }
  | {
      type: 'taken';
      ids: string[];
      /** Wall-clock ms, fractional, when each request's body was in. */
      receivedAt: number[];
      /** The payload's `timestamp`, in ms. */
      eventAt: number[];
      /** Requests since the last take whose webhook-id had been received before. */
      duplicates: string[];
      /** Requests without a webhook-id, a signature or a readable timestamp. */
      malformed: number;
    };

const seen = new Set<string>();
let received = 0;
let duplicateCount = 0;
let ids: string[] = [];
let receivedAt: number[] = [];
let eventAt: number[] = [];
let duplicates: string[] = [];
let malformed = 0;

const timestampPattern = /"timestamp":"([^"]+)"/;
const clock = (): number => performance.timeOrigin + performance.now();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = clock();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    const id = req.headers['webhook-id'];
    // The payload starts with id, type and timestamp; no need to parse all of it.
    const head = Buffer.concat(chunks).subarray(0, 300).toString('utf8');
    const timestamp = Date.parse(timestampPattern.exec(head)?.[1] ?? '');
    if (typeof id !== 'string' || !req.headers['webhook-signature'] || Number.isNaN(timestamp)) {
      malformed += 1;
      return;
    }
    received += 1;
    if (seen.has(id)) {
      duplicateCount += 1;
      duplicates.push(id);
    } else seen.add(id);
    ids.push(id);
    receivedAt.push(at);
    eventAt.push(timestamp);
  });
});
// Longer than the worker's idle-socket timeout (4 s), so the worker, not the receiver, closes idle sockets.
server.keepAliveTimeout = 30_000;
server.headersTimeout = 35_000;

process.on('message', (message: ReceiverRequest) => {
  if (message.type === 'count') {
    process.send?.({ type: 'count', received, duplicates: duplicateCount } satisfies ReceiverReply);
  } else if (message.type === 'take') {
    process.send?.({
      type: 'taken',
      ids,
      receivedAt,
      eventAt,
      duplicates,
      malformed,
    } satisfies ReceiverReply);
    ids = [];
    receivedAt = [];
    eventAt = [];
    duplicates = [];
    malformed = 0;
  }
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  announceAndServe(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
