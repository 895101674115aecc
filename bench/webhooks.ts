/**
 * Webhooks benchmark: `pnpm bench:webhooks` from the repository root (about two and a half minutes).
 *
 * Measures webhook delivery end to end with real processes: real PostgreSQL (a fresh database
 * `viva_bench_<random>`, dropped afterwards), `viva worker` processes (`node platform/src/cli.ts worker`,
 * exactly what operators run) and a local receiver in its own process (webhook-receiver.ts: node:http,
 * keep-alive, answers 200 at once, reports every `webhook-id` and its receipt time over IPC).
 *
 * Set-up goes through the API: the platform (platform-server.ts, with VIVA_WEBHOOK_WORKER=false, so it
 * delivers nothing itself) creates a tenant, a job, a candidate, an interview and a test-mode endpoint
 * subscribed to `*` that points at the receiver; then the platform is stopped. More interviews are cloned
 * from that one with SQL, and the events are written with SQL straight into `events`, as the platform's
 * transactional outbox writes them (ids from the platform's own `newId('event')`, `dispatched_at` null,
 * `data.object` the interview as `GET /v1/interviews/{id}` shows it; an interview's events numbered 1, 2, 3 …
 * as `interview.scheduled`, `.started`, `.completed`, so in-order delivery per interview is exercised).
 *
 * For 1 worker, then for 2 fresh workers:
 *   - warm-up: a small batch, delivered in full before anything is measured;
 *   - throughput: N events committed in one transaction while the workers run; the time from the commit
 *     to the receipt of the last one gives deliveries per second;
 *   - latency at a steady rate: events committed one transaction each at a fixed rate (200/s, then 500/s),
 *     each with `created_at = clock_timestamp()` in its own single-statement transaction. The receiver
 *     takes the payload's `timestamp` (that `created_at`, in ms) as the commit time, so latency = receipt
 *     time − `timestamp`: commit to receipt, including the fan-out, the claim, signing and the HTTP request.
 *     (`created_at` precedes the commit by the insert itself, well under 1 ms; ms truncation adds < 1 ms.)
 *
 * Every round checks that each event reached the receiver exactly once and that every delivery ends
 * `succeeded` at its first attempt. As in api.ts it prints per round (from /proc, Linux only) the workers'
 * CPU per delivery and how much CPU other processes or the hypervisor took meanwhile.
 *
 * Exits 1 when a delivery was lost, duplicated, malformed or not `succeeded`; timings are reported, never
 * asserted.
 *
 * Environment (all optional):
 *   BENCH_POSTGRES_URL    server to create the bench database on, via its maintenance database
 *                         (default postgresql://postgres@127.0.0.1:5432/postgres)
 *   BENCH_WORKERS         comma-separated worker counts, one fresh set of workers each (default 1,2)
 *   BENCH_EVENTS          events of each throughput round (default 10000)
 *   BENCH_RATES           comma-separated rates of the latency rounds, events/s (default 200,500)
 *   BENCH_SECONDS         length of each latency round (default 15)
 *   BENCH_WARMUP_EVENTS   events of the warm-up batch (default 500)
 *   BENCH_LOG_LEVEL       the workers' LOG_LEVEL (default info: successes log at debug, so info logs only
 *                         start, stop and failures; the bench needs "worker started")
 *   BENCH_WORKER_ENV      extra environment for the workers, e.g. "VIVA_WEBHOOK_CONCURRENCY=128"
 *   BENCH_NODE_ARGS       extra node flags for the worker processes, space-separated (e.g.
 *                         "--cpu-prof --cpu-prof-dir=/tmp/viva-prof" writes a profile of each worker at exit)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { newId } from '../platform/src/ids.ts';
import { call } from './api-call.ts';
import { benchDatabase } from './bench-database.ts';
import { defaultPostgresUrl, listFrom, numberFrom, printMachine, textFrom, wordsFrom } from './bench-env.ts';
import { watchCpu } from './cpu-share.ts';
import { runMain, throwIfInterrupted } from './run-main.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';
import type { ReceiverReply, ReceiverRequest } from './webhook-receiver.ts';
import {
  type Conditions,
  type DeliveryCheck,
  type LatencyOutcome,
  type Receipts,
  report,
  roundFailures,
  type ThroughputOutcome,
  verdicts,
} from './webhooks-report.ts';

// --- Settings -----------------------------------------------------------------------------------------

const settings = {
  postgresUrl: textFrom('BENCH_POSTGRES_URL', defaultPostgresUrl),
  workers: listFrom('BENCH_WORKERS', [1, 2], 'whole positive numbers, like 1,2'),
  events: Math.round(numberFrom('BENCH_EVENTS', 10_000)),
  rates: listFrom('BENCH_RATES', [200, 500], 'whole positive numbers, like 1,2'),
  seconds: numberFrom('BENCH_SECONDS', 15),
  warmupEvents: Math.round(numberFrom('BENCH_WARMUP_EVENTS', 500)),
  logLevel: textFrom('BENCH_LOG_LEVEL', 'info'),
  workerEnv: Object.fromEntries(
    wordsFrom('BENCH_WORKER_ENV').map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`BENCH_WORKER_ENV takes NAME=value pairs, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  ) as Record<string, string>,
  nodeArgs: wordsFrom('BENCH_NODE_ARGS'),
};

/** A round gives up when nothing new has arrived for this long; what is still missing counts as lost. */
const stallMs = 20_000;
/** How long to keep listening after the last expected delivery, to catch duplicates. */
const settleMs = 1_000;
/** Interviews whose events the latency rounds share, round robin (each gets its next sequence). */
const latencyInterviews = 1_000;
const producerConnections = 16;

const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const cli = here('../platform/src/cli.ts');
const clock = (): number => performance.timeOrigin + performance.now();

// --- Set-up through the API ---------------------------------------------------------------------------

interface Fixtures {
  tenantId: string;
  interviewId: string;
  /** The interview as the API shows it: the template of every event's `data.object`. */
  interview: Record<string, unknown>;
  endpointId: string;
}

async function createFixtures(base: string, receiverUrl: string): Promise<Fixtures> {
  const created = await call<{ tenant: { id: string }; api_keys: { test: string } }>(
    base,
    'POST',
    '/admin/v1/tenants',
    adminKey,
    { name: 'Bench ATS' },
  );
  const key = created.api_keys.test;
  const job = await call<{ id: string }>(base, 'POST', '/v1/jobs', key, {
    title: 'Senior Backend Engineer',
    questions: [
      { text: 'Walk me through a production incident you led.' },
      { text: 'How would you design an idempotent payment-capture endpoint?' },
      { text: 'Tell me about a time you changed your mind about a technical decision.' },
    ],
  });
  const candidate = await call<{ id: string }>(base, 'POST', '/v1/candidates', key, {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    metadata: { source: 'bench' },
  });
  const interview = await call<Record<string, unknown> & { id: string }>(
    base,
    'POST',
    '/v1/interviews',
    key,
    {
      job_id: job.id,
      candidate_id: candidate.id,
      external_id: 'ats-application-48213',
      metadata: { requisition: 'REQ-2026-118', recruiter: 'grace@example.com', stage: 'technical-screen' },
    },
  );
  const shown = await call<Record<string, unknown>>(base, 'GET', `/v1/interviews/${interview.id}`, key);
  const endpoint = await call<{ id: string }>(base, 'POST', '/v1/webhook_endpoints', key, {
    url: `${receiverUrl}/hooks/viva`,
    description: 'bench receiver',
    enabled_events: ['*'],
  });
  return {
    tenantId: created.tenant.id,
    interviewId: interview.id,
    interview: shown,
    endpointId: endpoint.id,
  };
}

// --- Events -------------------------------------------------------------------------------------------

const typeBySequence = ['interview.scheduled', 'interview.started', 'interview.completed'] as const;
const statusByType: Record<string, string> = {
  'interview.scheduled': 'scheduled',
  'interview.started': 'in_progress',
  'interview.completed': 'completed',
};

interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  interview_id: string;
  sequence: number;
  data: { object: Record<string, unknown> };
}

class EventMaker {
  readonly #fixtures: Fixtures;
  readonly #next = new Map<string, number>();

  constructor(fixtures: Fixtures) {
    this.#fixtures = fixtures;
  }

  /** The next event of an interview, numbered after its previous ones, as the platform writes it. */
  make(interviewId: string): EventRow {
    const sequence = (this.#next.get(interviewId) ?? 0) + 1;
    this.#next.set(interviewId, sequence);
    const type = typeBySequence[(sequence - 1) % typeBySequence.length]!;
    const now = new Date().toISOString();
    return {
      id: newId('event'),
      tenant_id: this.#fixtures.tenantId,
      type,
      interview_id: interviewId,
      sequence,
      data: {
        object: {
          ...this.#fixtures.interview,
          id: interviewId,
          status: statusByType[type],
          ...(type === 'interview.started' ? { started_at: now } : {}),
          ...(type === 'interview.completed' ? { completed_at: now } : {}),
          updated_at: now,
        },
      },
    };
  }
}

/** Copies of the fixture interview (as rows), so that events can be about many interviews. */
async function cloneInterviews(db: pg.Pool, templateId: string, count: number): Promise<string[]> {
  const columns = (
    await db.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_name = 'interviews' and table_schema = current_schema() order by ordinal_position`,
    )
  ).rows.map((r) => r.column_name);
  const ids = Array.from({ length: count }, () => newId('interview'));
  const select = columns.map((c) => (c === 'id' ? 'n.id' : `t.${c}`)).join(', ');
  for (let i = 0; i < ids.length; i += 5_000) {
    await db.query(
      `insert into interviews (${columns.join(', ')})
       select ${select} from interviews t, unnest($1::text[]) as n(id) where t.id = $2`,
      [ids.slice(i, i + 5_000), templateId],
    );
  }
  return ids;
}

const insertMany = `insert into events (id, tenant_id, livemode, type, interview_id, sequence, data, created_at, dispatched_at)
  select id, tenant_id, false, type, interview_id, sequence, data, clock_timestamp(), null
    from jsonb_to_recordset($1::jsonb) as t(id text, tenant_id text, type text, interview_id text, sequence int, data jsonb)`;

/** Writes `events` in one transaction; answers when the commit was acknowledged. */
async function commitAll(db: pg.Pool, events: EventRow[]): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('begin');
    for (let i = 0; i < events.length; i += 2_000) {
      await client.query(insertMany, [JSON.stringify(events.slice(i, i + 2_000))]);
    }
    await client.query('commit');
    return clock();
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const insertOne = `insert into events (id, tenant_id, livemode, type, interview_id, sequence, data, created_at, dispatched_at)
  values ($1, $2, false, $3, $4, $5, $6::jsonb, clock_timestamp(), null)`;

/** Commits one event per transaction at `rate` per second for `seconds`; answers the events, in order. */
async function produceAtRate(
  db: pg.Pool,
  maker: EventMaker,
  interviews: string[],
  rate: number,
  seconds: number,
): Promise<{ events: EventRow[]; committedPerSecond: number }> {
  const total = Math.round(rate * seconds);
  const events: EventRow[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  let lastCommit = started;
  let cursor = events.length;
  while (events.length < total) {
    const now = performance.now();
    while (events.length < total && started + (events.length * 1000) / rate <= now) {
      const event = maker.make(interviews[cursor++ % interviews.length]!);
      events.push(event);
      const insert = db
        .query(insertOne, [
          event.id,
          event.tenant_id,
          event.type,
          event.interview_id,
          event.sequence,
          JSON.stringify(event.data),
        ])
        .then(() => {
          lastCommit = performance.now();
        });
      inFlight.add(insert);
      void insert.finally(() => inFlight.delete(insert));
    }
    await sleep(Math.max(0, started + (events.length * 1000) / rate - performance.now()));
  }
  await Promise.all(inFlight);
  return { events, committedPerSecond: (1000 * total) / (lastCommit - started) };
}

// --- Receiver -----------------------------------------------------------------------------------------

interface Receiver {
  server: ServerProcess;
  ask<T extends ReceiverReply['type']>(
    request: ReceiverRequest,
    reply: T,
  ): Promise<Extract<ReceiverReply, { type: T }>>;
}

async function startReceiver(): Promise<Receiver> {
  const server = await spawnServer(
    'receiver',
    here('./webhook-receiver.ts'),
    { PATH: process.env.PATH ?? '' },
    {
      ipc: true,
    },
  );
  const waiting: Array<(reply: ReceiverReply) => void> = [];
  server.child.on('message', (reply: ReceiverReply) => waiting.shift()?.(reply));
  return {
    server,
    ask(request, type) {
      return new Promise((resolve, reject) => {
        waiting.push((reply) => {
          if (reply.type === type) resolve(reply as Extract<ReceiverReply, { type: typeof type }>);
          else reject(new Error(`receiver answered ${reply.type} to ${request.type}`));
        });
        server.child.send(request);
      });
    },
  };
}

/** Waits until every expected event has arrived (or nothing has for `stallMs`), then takes the receipts. */
async function collect(receiver: Receiver, expected: Set<string>, baseline: number): Promise<Receipts> {
  let last = -1;
  let lastProgress = performance.now();
  for (;;) {
    const { received, duplicates } = await receiver.ask({ type: 'count' }, 'count');
    const unique = received - duplicates - baseline;
    if (unique >= expected.size) break;
    if (unique !== last) {
      last = unique;
      lastProgress = performance.now();
    } else if (performance.now() - lastProgress > stallMs) {
      process.stderr.write(`  nothing arrived for ${stallMs / 1000} s; ${expected.size - unique} missing\n`);
      break;
    }
    await sleep(100);
  }
  await sleep(settleMs);
  const taken = await receiver.ask({ type: 'take' }, 'taken');
  const receipts: Receipts = {
    receivedAt: new Map(),
    eventAt: new Map(),
    duplicates: taken.duplicates.length,
    unexpected: 0,
    malformed: taken.malformed,
    missing: 0,
  };
  for (let i = 0; i < taken.ids.length; i++) {
    const id = taken.ids[i]!;
    if (!expected.has(id)) {
      receipts.unexpected += 1;
      continue;
    }
    if (!receipts.receivedAt.has(id)) {
      receipts.receivedAt.set(id, taken.receivedAt[i]!);
      receipts.eventAt.set(id, taken.eventAt[i]!);
    }
  }
  // A duplicate of an event outside this round's set was counted as unexpected too; count it once.
  receipts.unexpected -= taken.duplicates.filter((id) => !expected.has(id)).length;
  receipts.missing = expected.size - receipts.receivedAt.size;
  return receipts;
}

// --- Workers ------------------------------------------------------------------------------------------

interface Worker {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startWorker(name: string, databaseUrl: string): Promise<Worker> {
  const child = spawn(process.execPath, [...settings.nodeArgs, cli, 'worker'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: settings.logLevel,
      ...settings.workerEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`));
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it started (code ${code}, signal ${signal})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!ready && /"msg":"worker started"/.test(line)) {
        ready = true;
        clearTimeout(timer);
        resolve();
        return;
      }
      // Anything else it logs (info: a failed attempt; warn, error) is worth seeing.
      if (!line.includes('webhook worker stopping')) process.stderr.write(`[${name}] ${line}\n`);
    });
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// --- Rounds -------------------------------------------------------------------------------------------

function watchWorkers(pids: () => number[], workers: Worker[]): { stop(): Conditions } {
  const watches = workers.map((w) => watchCpu(pids, w.child.pid ?? 0));
  return {
    stop() {
      const shares = watches.map((w) => w.stop());
      return {
        cpu: shares[0] ?? null,
        workersMs: shares.reduce((sum, share) => sum + (share?.serverMs ?? 0), 0),
      };
    },
  };
}

async function checkDeliveries(db: pg.Pool, ids: string[], endpointId: string): Promise<DeliveryCheck> {
  const result = await db.query<{ not_succeeded: number; retried: number; deliveries: number }>(
    `select count(*) filter (where status <> 'succeeded')::int as not_succeeded,
            count(*) filter (where attempts > 1)::int as retried,
            count(*)::int as deliveries
       from webhook_deliveries where endpoint_id = $2 and event_id = any($1::text[])`,
    [ids, endpointId],
  );
  const row = result.rows[0]!;
  return { notSucceeded: row.not_succeeded, retried: row.retried, notFannedOut: ids.length - row.deliveries };
}

interface Bench {
  db: pg.Pool;
  receiver: Receiver;
  fixtures: Fixtures;
  maker: EventMaker;
  benchPids: () => number[];
  /** Events the receiver has seen, unique, over the whole run (its baseline for the next round). */
  delivered: number;
}

async function warmUp(bench: Bench, interviews: string[]): Promise<void> {
  const events = interviews.map((id) => bench.maker.make(id));
  await commitAll(bench.db, events);
  // Anything else not yet delivered (the fixture interview's own `interview.scheduled`) goes out too.
  const pending = await bench.db.query<{ id: string }>(
    `select e.id from events e where not exists (
       select 1 from webhook_deliveries d where d.event_id = e.id and d.status = 'succeeded')`,
  );
  const expected = new Set(pending.rows.map((r) => r.id));
  const receipts = await collect(bench.receiver, expected, bench.delivered);
  bench.delivered += receipts.receivedAt.size;
  const check = await checkDeliveries(bench.db, [...expected], bench.fixtures.endpointId);
  const problems = roundFailures(receipts, check);
  if (problems.length > 0) throw new Error(`warm-up failed: ${problems.join(', ')}`);
}

async function throughputRound(
  bench: Bench,
  workers: Worker[],
  interviews: string[],
): Promise<ThroughputOutcome> {
  // In timeline order: every interview's `scheduled`, then every `started`, then every `completed`.
  const events: EventRow[] = [];
  while (events.length < settings.events) {
    for (const id of interviews) {
      if (events.length >= settings.events) break;
      events.push(bench.maker.make(id));
    }
  }
  process.stderr.write(`… ${workers.length} worker(s): throughput, ${events.length} events in one commit\n`);
  const watch = watchWorkers(bench.benchPids, workers);
  const committedAt = await commitAll(bench.db, events);
  const expected = new Set(events.map((e) => e.id));
  const receipts = await collect(bench.receiver, expected, bench.delivered);
  const conditions = watch.stop();
  bench.delivered += receipts.receivedAt.size;
  const times = [...receipts.receivedAt.values()];
  const last = times.length > 0 ? Math.max(...times) : Number.NaN;
  const first = times.length > 0 ? Math.min(...times) : Number.NaN;
  const seconds = (last - committedAt) / 1000;
  return {
    workers: workers.length,
    events: events.length,
    seconds,
    perSecond: receipts.receivedAt.size / seconds,
    firstMs: first - committedAt,
    receipts,
    check: await checkDeliveries(bench.db, [...expected], bench.fixtures.endpointId),
    conditions,
  };
}

async function latencyRound(
  bench: Bench,
  workers: Worker[],
  interviews: string[],
  rate: number,
): Promise<LatencyOutcome> {
  process.stderr.write(
    `… ${workers.length} worker(s): latency, ${rate} events/s for ${settings.seconds} s, one commit each\n`,
  );
  const watch = watchWorkers(bench.benchPids, workers);
  const { events, committedPerSecond } = await produceAtRate(
    bench.db,
    bench.maker,
    interviews,
    rate,
    settings.seconds,
  );
  const expected = new Set(events.map((e) => e.id));
  const receipts = await collect(bench.receiver, expected, bench.delivered);
  const conditions = watch.stop();
  bench.delivered += receipts.receivedAt.size;
  const latencies = Float64Array.from(
    [...receipts.receivedAt].map(([id, at]) => at - receipts.eventAt.get(id)!),
  ).sort();
  return {
    workers: workers.length,
    rate,
    committedPerSecond,
    latencies,
    receipts,
    check: await checkDeliveries(bench.db, [...expected], bench.fixtures.endpointId),
    conditions,
  };
}

// --- Main ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  await printMachine({
    postgresUrl: settings.postgresUrl,
    setup:
      'producer (SQL inserts) in this process; each `viva worker` and the receiver in its own process; all on this machine',
    load: `${settings.events} events per throughput round; ${settings.rates.join(' and ')} events/s for ${settings.seconds} s per latency round; workers ${settings.workers.join(', then ')}`,
  });

  const database = benchDatabase(settings.postgresUrl);
  const dataDir = await mkdtemp(join(os.tmpdir(), 'viva-bench-'));
  const servers: ServerProcess[] = [];
  let workers: Worker[] = [];
  let db: pg.Pool | null = null;
  const throughput: ThroughputOutcome[] = [];
  const latency: LatencyOutcome[] = [];
  try {
    await database.create();

    process.stderr.write(
      `… set-up in ${database.name}: platform (migrations, tenant, endpoint), receiver, interviews\n`,
    );
    const receiver = await startReceiver();
    servers.push(receiver.server);
    const platform = await spawnServer('platform', here('./platform-server.ts'), {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      VIVA_DATA_DIR: dataDir,
      VIVA_ADMIN_KEY: adminKey,
      DATABASE_URL: database.url,
      VIVA_WEBHOOK_WORKER: 'false',
      VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    servers.push(platform);
    const fixtures = await createFixtures(platform.url, receiver.server.url);
    // Its work is done: from here on, only the workers, the receiver and this producer run.
    await platform.stop();
    throwIfInterrupted();

    db = new pg.Pool({ connectionString: database.url, max: producerConnections });
    const perRound = Math.ceil(settings.events / typeBySequence.length);
    const rounds = settings.workers.length;
    const interviews = await cloneInterviews(
      db,
      fixtures.interviewId,
      rounds * (perRound + settings.warmupEvents) + latencyInterviews,
    );
    const latencyPool = interviews.slice(0, latencyInterviews);
    let cursor = latencyInterviews;
    const take = (count: number): string[] => {
      cursor += count;
      return interviews.slice(cursor - count, cursor);
    };

    const bench: Bench = {
      db,
      receiver,
      fixtures,
      maker: new EventMaker(fixtures),
      benchPids: () => [process.pid, receiver.server.child.pid ?? 0, ...workers.map((w) => w.child.pid ?? 0)],
      delivered: 0,
    };

    for (const count of settings.workers) {
      process.stderr.write(`… starting ${count} worker(s), warm-up of ${settings.warmupEvents} events\n`);
      workers = await Promise.all(
        Array.from({ length: count }, (_, i) => startWorker(`worker ${i + 1}/${count}`, database.url)),
      );
      await warmUp(bench, take(settings.warmupEvents));
      throwIfInterrupted();
      throughput.push(await throughputRound(bench, workers, take(perRound)));
      for (const rate of settings.rates) {
        throwIfInterrupted();
        latency.push(await latencyRound(bench, workers, latencyPool, rate));
      }
      await Promise.all(workers.map((w) => w.stop()));
      workers = [];
    }

    console.log(report(throughput, latency));
    console.log('');
    console.log(verdicts(throughput, latency).join('\n'));
    const disturbed = [
      ...throughput.map((o) => ({ name: `throughput with ${o.workers} worker(s)`, cpu: o.conditions.cpu })),
      ...latency.map((o) => ({ name: `${o.rate}/s with ${o.workers} worker(s)`, cpu: o.conditions.cpu })),
    ].filter((o) => (o.cpu?.others ?? 0) + (o.cpu?.steal ?? 0) > 5);
    if (disturbed.length > 0) {
      console.log(
        `Warning: other processes or machines took over 5 % of the CPU during ${disturbed.map((o) => o.name).join('; ')}; rerun on a quiet machine.`,
      );
    }
    const failures = [
      ...throughput.map((o) => ({ name: `throughput with ${o.workers} worker(s)`, o })),
      ...latency.map((o) => ({ name: `${o.rate}/s with ${o.workers} worker(s)`, o })),
    ]
      .map(({ name, o }) => ({ name, problems: roundFailures(o.receipts, o.check) }))
      .filter((f) => f.problems.length > 0);
    for (const { name, problems } of failures) console.error(`FAIL ${name}: ${problems.join(', ')}`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(servers.map((server) => server.stop()));
    await db?.end();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

runMain(main, {
  interruptedMessage: 'Interrupted: workers and servers stopped, bench database dropped.',
  // pg errors carry their whole client; the message and the stack say what happened.
  showError: (error) => (error instanceof Error ? (error.stack ?? error.message) : error),
});
