import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { DemoModeAccess } from '../tenants/demo-tenant.ts';
import { signatureHeader } from '../webhooks/webhook-signature.ts';
import { type DemoApi, DemoApiError, type Schemas } from './demo-api.ts';

/** A delivery the receiver verified. */
export interface ReceivedEvent {
  id: string;
  type: string;
  interviewId: string | null;
  sequence: number | null;
  receivedAt: Date;
  /** How many times it arrived (deliveries are at least once). */
  copies: number;
}

/** Why a delivery was refused, in words the sender's delivery log will show. */
export class InvalidWebhook extends Error {
  override name = 'InvalidWebhook';
}

const toleranceSeconds = 5 * 60;
const kept = 200;

/**
 * The demo ATS's side of webhooks: it registers an endpoint for its own receiver (once per mode, kept in
 * demo-tenant.json beside the key), verifies every delivery's Standard Webhooks signature, and remembers
 * the last events it received for the interview view.
 */
export class DemoWebhooks {
  /** Newest last; an event delivered twice is kept once. */
  readonly #received = new Map<string, ReceivedEvent>();
  #problem: string | null = null;

  readonly #access: DemoModeAccess;
  readonly #save: () => void;
  readonly #logger: Logger;

  /** `save` persists `access` once the endpoint it describes has changed. */
  constructor(access: DemoModeAccess, save: () => void, logger: Logger) {
    this.#access = access;
    this.#save = save;
    this.#logger = logger;
  }

  get endpointId(): string | null {
    return this.#access.webhookEndpointId ?? null;
  }

  /** Why the endpoint could not be registered, or null. */
  get problem(): string | null {
    return this.#problem;
  }

  get receivedCount(): number {
    return this.#received.size;
  }

  /**
   * Registers the receiver through the REST API, or checks the endpoint registered at an earlier start: it
   * follows the platform to another port, and is turned back on if it was disabled.
   */
  async connect(api: DemoApi, receiverUrl: string): Promise<void> {
    try {
      const id = this.#access.webhookEndpointId;
      if (id && this.#access.webhookSecret) {
        const endpoint = await api
          .get<Schemas['WebhookEndpoint']>(`/v1/webhook_endpoints/${encodeURIComponent(id)}`)
          .catch((error: unknown) => {
            if (error instanceof DemoApiError && error.status === 404) return null;
            throw error;
          });
        if (endpoint) {
          if (endpoint.url !== receiverUrl || !endpoint.enabled) {
            await api.patch(`/v1/webhook_endpoints/${encodeURIComponent(id)}`, {
              url: receiverUrl,
              enabled: true,
            });
          }
          this.#problem = null;
          return;
        }
      }
      const created = await api.post<Schemas['WebhookEndpointWithSecret']>('/v1/webhook_endpoints', {
        url: receiverUrl,
        description: 'The demo ATS at /demo',
        enabled_events: ['*'],
      });
      this.#access.webhookEndpointId = created.id;
      this.#access.webhookSecret = created.secret;
      this.#save();
      this.#problem = null;
    } catch (error) {
      this.#problem = error instanceof DemoApiError ? error.detail : String(error);
      this.#logger.warn({ problem: this.#problem }, 'the demo ATS could not register its webhook endpoint');
    }
  }

  /**
   * Verifies a delivery as any receiver must: the raw body, a timestamp within 5 minutes, and a `v1`
   * signature matching ours in constant time. Throws InvalidWebhook otherwise.
   */
  receive(headers: Record<string, string | string[] | undefined>, rawBody: string): ReceivedEvent {
    const secret = this.#access.webhookSecret;
    if (!secret) throw new InvalidWebhook('The demo has no webhook secret yet.');
    const header = (name: string) => {
      const value = headers[name];
      return typeof value === 'string' ? value : null;
    };
    const msgId = header('webhook-id');
    const timestamp = header('webhook-timestamp');
    const signatures = header('webhook-signature');
    if (!msgId || !timestamp || !signatures) throw new InvalidWebhook('Missing webhook-* headers.');
    if (!/^\d{1,12}$/.test(timestamp)) throw new InvalidWebhook('webhook-timestamp is not unix seconds.');
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) {
      throw new InvalidWebhook('webhook-timestamp is more than 5 minutes from our clock (a replay?).');
    }
    const expected = Buffer.from(signatureHeader([secret], msgId, Number(timestamp), rawBody));
    const matches = signatures.split(' ').some((entry) => {
      const given = Buffer.from(entry);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!matches) throw new InvalidWebhook('No signature matches the demo endpoint secret.');

    let payload: Schemas['WebhookPayload'];
    try {
      payload = JSON.parse(rawBody) as Schemas['WebhookPayload'];
    } catch {
      throw new InvalidWebhook('The body is not JSON.');
    }
    const seen = this.#received.get(payload.id);
    if (seen) {
      seen.copies += 1;
      return seen;
    }
    const event: ReceivedEvent = {
      id: payload.id,
      type: payload.type,
      interviewId: payload.interview_id ?? null,
      sequence: payload.sequence ?? null,
      receivedAt: new Date(),
      copies: 1,
    };
    this.#received.set(event.id, event);
    if (this.#received.size > kept) this.#received.delete(this.#received.keys().next().value!);
    return event;
  }

  /** What the receiver got about one interview, in the interview's order. */
  receivedFor(interviewId: string): ReceivedEvent[] {
    return [...this.#received.values()]
      .filter((e) => e.interviewId === interviewId)
      .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  }
}
