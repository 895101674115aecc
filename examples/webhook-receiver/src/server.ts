import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { components } from '@viva/openapi/types';
import { WebhookIdSet } from './dedupe.ts';
import { InterviewSequences } from './interview-sequences.ts';
import { verifyWebhook, WebhookVerificationError } from './verify.ts';

type WebhookPayload = components['schemas']['WebhookPayload'];

/**
 * The body of a delivery: the `WebhookPayload` schema of Viva's OpenAPI spec. `timestamp` is when the event
 * happened (the `webhook-timestamp` header is when this attempt was signed); `sequence` counts 1, 2, 3, …
 * per interview, in the order its changes were committed, and is null for events about no interview.
 * `type` also admits names the spec does not list yet: an endpoint enabled for `*` receives event types
 * added later, and should acknowledge those it does not handle.
 */
export type VivaEvent = Omit<WebhookPayload, 'type'> & {
  type: WebhookPayload['type'] | (string & Record<never, never>);
};

export type DeliveryContext = {
  /**
   * True when a later event of the same interview was already handled (a manual retry or a recovery
   * re-sent an older one): record its facts, but do not roll the interview's status back.
   */
  outOfOrder: boolean;
};

export type ReceiverOptions = {
  /** The endpoint's `whsec_…` secret; during a rotation, the old and the new one. */
  secrets: string[];
  /**
   * Your handling. Viva waits 15 seconds for an answer, so queue slow work rather than doing it here.
   * Throwing answers 500, and Viva retries the delivery later.
   */
  onEvent?: (event: VivaEvent, context: DeliveryContext) => void | Promise<void>;
  log?: Pick<Console, 'info' | 'warn' | 'error'>;
};

/** Viva's events are a few KiB; refuse anything far larger before buffering it. */
const maxBodyBytes = 1024 * 1024;

/** An HTTP server (not yet listening) that accepts Viva's webhook deliveries, POSTed to any path. */
export function createReceiver({ secrets, onEvent = () => {}, log = console }: ReceiverOptions): Server {
  if (secrets.length === 0) throw new Error('A webhook receiver needs at least one whsec_… secret.');
  const handledIds = new WebhookIdSet();
  const sequences = new InterviewSequences();

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return answer(res, 405, { error: 'method_not_allowed' });
    const rawBody = await readRawBody(req);
    if (!rawBody) return answer(res, 413, { error: 'body_too_large' });

    let webhookId: string;
    try {
      webhookId = verifyWebhook(rawBody, req.headers, secrets);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      log.warn(`rejected a delivery: ${error.reason} (${error.message})`);
      return answer(res, 400, { error: error.reason });
    }

    const seen = handledIds.claim(webhookId);
    if (seen === 'done') {
      log.info(`${webhookId} already handled: acknowledged again, not handled twice`);
      return answer(res, 200, { received: true, duplicate: true });
    }
    if (seen === 'in_progress') {
      // Not a 2xx: should the handling under way fail, Viva must still hold a delivery to retry.
      log.info(`${webhookId} is being handled by an earlier delivery: Viva will retry this one`);
      return answer(res, 409, { error: 'in_progress' });
    }
    try {
      // Only now is the body trusted, so only now is it parsed.
      const event = JSON.parse(rawBody.toString('utf8')) as VivaEvent;
      const { interview_id: interviewId, sequence } = event;
      log.info(`${event.type} ${event.id} sequence=${sequence ?? '-'} interview=${interviewId ?? '-'}`);
      const highest = interviewId ? sequences.highest(interviewId) : undefined;
      const outOfOrder = sequence !== null && highest !== undefined && sequence < highest;
      if (outOfOrder) {
        log.warn(
          `${event.id} is sequence ${sequence} of ${interviewId}, but sequence ${highest} was already handled`,
        );
      }
      await onEvent(event, { outOfOrder });
      if (interviewId && sequence !== null) sequences.handled(interviewId, sequence);
      handledIds.done(webhookId);
      answer(res, 200, { received: true });
    } catch (error) {
      // Forget the id so that Viva's retry is handled instead of being taken for a duplicate.
      handledIds.release(webhookId);
      throw error;
    }
  }

  return createServer((req, res) => {
    receive(req, res).catch((error: unknown) => {
      log.error('handling a delivery failed:', error);
      if (!res.headersSent) answer(res, 500, { error: 'internal_error' });
    });
  });
}

/** The body exactly as sent: the signature covers these bytes. Undefined when it is too large. */
async function readRawBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

if (import.meta.main) {
  // WEBHOOK_SECRET holds one secret, or during a rotation the old and the new one separated by a comma.
  const secrets = (process.env.WEBHOOK_SECRET ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (secrets.length === 0) {
    console.error('Set WEBHOOK_SECRET to your endpoint secret (whsec_…); comma-separate two while rotating.');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  const server = createReceiver({
    secrets,
    onEvent: (event, { outOfOrder }) => {
      // Your handling goes here, e.g. on interview.completed fetch the transcript, on scorecard.completed
      // store the scores. Ignore types you do not know: Viva may add new ones.
      if (event.type === 'interview.completed' && !outOfOrder) {
        console.info(`  interview ${event.interview_id} is now ${String(event.data.object.status)}`);
      }
    },
  });
  server.listen(port, () => console.info(`Receiving Viva webhooks on http://localhost:${port}/`));
}
