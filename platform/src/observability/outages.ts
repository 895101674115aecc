import { ConnectionException } from '@mikro-orm/core';
import type { Logger } from 'pino';

// PostgreSQL's connection-exception class (08…), shutdowns and refusals (57P01–03, 53300, 55000 for a database
// not accepting connections), and the socket errors of a database or Redis that is down or restarting. `pg`
// says "… is not queryable" of a connection that died under a transaction still using it.
const unavailableCodes =
  /^(08\w{3}|57P0[123]|53300|55000|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH)$/;
const unavailableMessages =
  /Connection terminated|Connection is closed|is not queryable|MaxRetriesPerRequest|the database system is/i;

/**
 * Whether `error` says that PostgreSQL or Redis cannot be reached: an outage to wait out, not a bug. Causes are
 * followed a few levels down, as the ORM and the drivers wrap what the socket said.
 */
export function isServiceUnavailable(error: unknown, depth = 0): boolean {
  if (error instanceof ConnectionException) return true;
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, name, cause } = error as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && unavailableCodes.test(code)) return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof message === 'string' && unavailableMessages.test(message)) return true;
  return isServiceUnavailable(cause, depth + 1);
}

/**
 * How a background worker's loop reports its cycles. During an outage every cycle fails, several times a
 * second, until it ends: that is logged once at warn when it starts and once at info when it ends, instead
 * of an error per cycle that buries everything else and pages someone for what the worker rides out alone.
 * Any other failure is a bug: an error, every time.
 */
export class CycleLog {
  readonly #logger: Logger;
  readonly #worker: string;
  #outage: { since: number; failedCycles: number } | null = null;

  /** `worker` names the loop in the messages, e.g. `webhook worker`. */
  constructor(logger: Logger, worker: string) {
    this.#logger = logger;
    this.#worker = worker;
  }

  failed(err: unknown): void {
    if (!isServiceUnavailable(err)) {
      this.#logger.error({ err }, `${this.#worker} cycle failed`);
      return;
    }
    if (this.#outage) {
      this.#outage.failedCycles += 1;
      return;
    }
    this.#outage = { since: Date.now(), failedCycles: 1 };
    this.#logger.warn({ err }, `${this.#worker} paused: a service it needs is unavailable; retrying`);
  }

  succeeded(): void {
    if (!this.#outage) return;
    const { since, failedCycles } = this.#outage;
    this.#outage = null;
    this.#logger.info(
      { outage_ms: Date.now() - since, failed_cycles: failedCycles },
      `${this.#worker} resumed`,
    );
  }
}
