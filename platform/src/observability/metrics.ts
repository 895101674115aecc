import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  webhookAttempts: Counter<'outcome'>;
  webhookLatency: Histogram;
  scoringRuns: Counter<'outcome' | 'scorer'>;
  scoringDuration: Histogram<'scorer'>;
}

/** The database pool's counts, as `pg.Pool` keeps them. */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface MetricsOptions {
  /** Read at each scrape: a connection that never comes back, or queries queueing for one, show at once. */
  databasePool?: () => Promise<PoolCounts>;
}

/** One registry per app instance, so in-process test apps never share or clash on metric names. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'viva_' });
  const { databasePool } = options;
  if (databasePool) {
    new Gauge({
      name: 'viva_database_pool_connections',
      help: 'Database connections of this instance, by state (in_use, idle)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const pool = await databasePool();
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
      },
    });
    new Gauge({
      name: 'viva_database_pool_waiting',
      help: 'Queries waiting for a free database connection',
      registers: [registry],
      async collect() {
        this.set((await databasePool()).waitingCount);
      },
    });
  }
  return {
    registry,
    httpDuration: new Histogram({
      name: 'viva_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'viva_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (succeeded, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    webhookLatency: new Histogram({
      name: 'viva_webhook_attempt_duration_seconds',
      help: 'How long endpoints took to answer webhook attempts',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    scoringRuns: new Counter({
      name: 'viva_scoring_runs_total',
      help: 'Scoring attempts by outcome (completed, retry, failed) and scorer (model, offline)',
      labelNames: ['outcome', 'scorer'],
      registers: [registry],
    }),
    scoringDuration: new Histogram({
      name: 'viva_scoring_run_duration_seconds',
      help: 'How long one scoring attempt took, from claim to result',
      labelNames: ['scorer'],
      buckets: [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
  };
}
