import type { Logger } from 'pino';
import type { WebhookConfig } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import { webhookPayload } from '../events/event-resource.ts';
import type { Metrics } from '../observability/metrics.ts';
import { CycleLog } from '../observability/outages.ts';
import { type ClaimedDelivery, claimDeliveries, type SlowShare } from './claim-deliveries.ts';
import { fanOutEvents } from './fan-out.ts';
import { recordFailedAttempt } from './record-attempt.ts';
import { SuccessBatch } from './record-successes.ts';
import { sweepDeliveryLog } from './retention.ts';
import { sendWebhook } from './send-webhook.ts';
import { webhookHeaders } from './webhook-signature.ts';

/** An attempt that takes this long marks its endpoint slow: from then on it is held to its share. */
const slowAttemptMs = 1000;
/** How long an endpoint stays slow after its last slow attempt. */
const slowForMs = 60_000;

/** One endpoint's attempts in flight in this worker: whose endpoint it is, and when each started. */
interface EndpointAttempts {
  tenantId: string;
  /** performance.now() at the start of each attempt. */
  started: Set<number>;
}

export interface DeliveryWorkerOptions {
  orm: Orm;
  logger: Logger;
  config: WebhookConfig;
  metrics?: Metrics;
  /** How long the worker sleeps when there is nothing to do. */
  idleMs?: number;
}

/**
 * Delivers webhooks: fans committed events out into deliveries, claims due deliveries, sends them, records
 * each outcome. Everything it knows lives in the database, so any number of workers (in API processes or
 * in `viva worker` processes) share the work, and a worker killed mid-attempt loses nothing: its claim
 * lapses and another worker sends the delivery again (at least once).
 */
export class DeliveryWorker {
  readonly #o: DeliveryWorkerOptions;
  readonly #inFlight = new Set<Promise<void>>();
  /** The attempts in flight, by endpoint id. */
  readonly #attempts = new Map<string, EndpointAttempts>();
  /** Endpoints whose attempts were slow lately: whose they are, and until when they count as slow. */
  readonly #slowUntil = new Map<string, { tenantId: string; until: number }>();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #retention: NodeJS.Timeout | null = null;
  #firstSweep: NodeJS.Timeout | null = null;
  readonly #successes: SuccessBatch;
  readonly #cycles: CycleLog;

  constructor(options: DeliveryWorkerOptions) {
    this.#o = options;
    this.#successes = new SuccessBatch(options.orm);
    this.#cycles = new CycleLog(options.logger, 'webhook worker');
  }

  /** A claim outlives the longest attempt, so a live worker never has its delivery taken over. */
  get #leaseSeconds(): number {
    return this.#o.config.timeoutSeconds + 10;
  }

  /**
   * The slots one tenant's slow endpoints may fill together: a quarter (16 of the default 64), so that a
   * tenant whose endpoints all hang until the timeout, however many they are (at most 16 per mode) and
   * however long their backlogs, leaves three quarters to everyone else. Fast endpoints are not held to it:
   * their attempts free their slots in milliseconds, and one endpoint taking a burst (an ATS's single
   * endpoint, the usual case) should go as fast as the worker can.
   */
  #slowShare(): SlowShare {
    const now = performance.now();
    const slowEndpoints = new Map<string, string>();
    for (const [id, slow] of this.#slowUntil) {
      if (slow.until <= now) this.#slowUntil.delete(id);
      else slowEndpoints.set(id, slow.tenantId);
    }
    for (const [id, { tenantId, started }] of this.#attempts) {
      if ([...started].some((at) => now - at >= slowAttemptMs)) slowEndpoints.set(id, tenantId);
    }
    const inFlight = new Map<string, number>();
    for (const [id, tenantId] of slowEndpoints) {
      const attempts = this.#attempts.get(id)?.started.size ?? 0;
      inFlight.set(tenantId, (inFlight.get(tenantId) ?? 0) + attempts);
    }
    return { max: Math.max(1, Math.floor(this.#o.config.concurrency / 4)), slowEndpoints, inFlight };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    // Hourly, and a minute after start too: a process restarted more often than hourly (deploys, a crash
    // loop) would otherwise never sweep. Sweeps are idempotent, so several workers doing it is harmless.
    const sweep = () => {
      sweepDeliveryLog(this.#o.orm.em.fork()).catch((err: unknown) =>
        this.#o.logger.warn({ err }, 'webhook retention sweep failed'),
      );
    };
    this.#retention = setInterval(sweep, 60 * 60 * 1000);
    this.#retention.unref();
    this.#firstSweep = setTimeout(sweep, 60 * 1000);
    this.#firstSweep.unref();
  }

  /** Lets the loop look for work now rather than after its idle sleep (an event was just committed). */
  nudge(): void {
    this.#wake?.();
  }

  /** Stops claiming, and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#retention) clearInterval(this.#retention);
    if (this.#firstSweep) clearTimeout(this.#firstSweep);
    this.nudge();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let busy = false;
      try {
        busy = (await fanOutEvents(this.#o.orm.em.fork())) > 0;
        const room = this.#o.config.concurrency - this.#inFlight.size;
        if (room > 0) {
          const claimed = await claimDeliveries(
            this.#o.orm.em.fork(),
            room,
            this.#leaseSeconds,
            this.#slowShare(),
          );
          for (const delivery of claimed) this.#track(delivery.endpoint, this.#deliver(delivery));
          busy ||= claimed.length > 0;
        }
        this.#cycles.succeeded();
      } catch (err) {
        this.#cycles.failed(err);
      }
      if (!this.#running) break;
      // Full: wait for an attempt to finish. Idle: wait a moment, or for a nudge or a finished attempt (the
      // next event of an interview may have been waiting on it).
      if (!busy || this.#inFlight.size >= this.#o.config.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#o.idleMs ?? 100);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }

  /**
   * A busy worker refills its slots this many at a time: each claim is a query over the due deliveries, so
   * claiming one slot per finished attempt would cost a claim (and a fan-out) per delivery.
   */
  get #claimBatch(): number {
    return Math.max(1, Math.floor(this.#o.config.concurrency / 4));
  }

  #track(endpoint: ClaimedDelivery['endpoint'], attempt: Promise<void>): void {
    this.#inFlight.add(attempt);
    const started = performance.now();
    const attempts = this.#attempts.get(endpoint.id) ?? { tenantId: endpoint.tenantId, started: new Set() };
    // Two attempts may start in the same millisecond: a Set needs them apart.
    let at = started;
    while (attempts.started.has(at)) at += 1e-6;
    attempts.started.add(at);
    this.#attempts.set(endpoint.id, attempts);
    void attempt.finally(() => {
      this.#inFlight.delete(attempt);
      attempts.started.delete(at);
      if (attempts.started.size === 0) this.#attempts.delete(endpoint.id);
      const ended = performance.now();
      if (ended - started >= slowAttemptMs) {
        this.#slowUntil.set(endpoint.id, { tenantId: endpoint.tenantId, until: ended + slowForMs });
      }
      // With room for a batch (always, unless the worker is nearly full) the loop looks for work at once;
      // otherwise it waits for more attempts to finish, or its idle timer.
      if (this.#o.config.concurrency - this.#inFlight.size >= this.#claimBatch) this.nudge();
    });
  }

  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    const now = Date.now();
    const secrets = delivery.endpoint.secrets
      .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now)
      .map((s) => s.secret);
    const body = webhookPayload(delivery.event);
    const attempt = await sendWebhook(
      {
        url: delivery.endpoint.url,
        headers: webhookHeaders(secrets, delivery.event.id, Math.floor(now / 1000), body),
        body,
      },
      {
        timeoutMs: this.#o.config.timeoutSeconds * 1000,
        allowPrivateNetworks: this.#o.config.allowPrivateNetworks,
      },
    );
    this.#o.metrics?.webhookAttempts.inc({ outcome: attempt.outcome });
    this.#o.metrics?.webhookLatency.observe(attempt.latencyMs / 1000);
    try {
      const outcome =
        attempt.outcome === 'succeeded'
          ? await this.#successes.record(delivery, attempt)
          : await recordFailedAttempt(this.#o.orm.em.fork(), delivery, attempt);
      const log = {
        delivery_id: delivery.id,
        endpoint_id: delivery.endpoint.id,
        event_id: delivery.event.id,
        status_code: attempt.statusCode,
        error: attempt.error,
        outcome,
      };
      if (outcome === 'succeeded') this.#o.logger.debug(log, 'webhook delivered');
      else this.#o.logger.info(log, 'webhook attempt failed');
    } catch (err) {
      // The claim lapses and the delivery is sent again: at least once, never lost.
      this.#o.logger.error({ err, delivery_id: delivery.id }, 'could not record a webhook attempt');
    }
  }
}
