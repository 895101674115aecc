/**
 * How long scoring takes once an interview completes, against a provider that takes a fixed time per call.
 *
 * Three processes: the platform from source (platform-server.ts) against real PostgreSQL (a fresh database
 * per scenario, dropped afterwards) and Redis; the fake provider (scoring-provider.ts), whose scoring calls
 * answer after BENCH_SCORING_DELAY_MS and which counts the calls it has in flight; and this bench, which
 * drives live-mode interviews through the API as a candidate would (session start, text answers) and then
 * ends them with POST /v1/session/end. Times come from the scorecards table: `created_at` is set in the
 * transaction that completes the interview, `completed_at` in the one that records the scorecard.
 *
 *   single: one interview at a time, each scorecard alone on the platform (one warm-up, then the runs).
 *   burst:  BENCH_BURST interviews readied, then all their `end` calls sent at once; once per cap on the
 *           platform's scoring calls (VIVA_SCORING_CONCURRENCY), each on a fresh platform and database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrlFor, describeCode, withPostgres } from './bench-env.ts';
import { type CpuShare, watchCpu } from './cpu-share.ts';
import { InterviewDriver, request } from './interview-driver.ts';
import { fixed, percentile, table } from './report.ts';
import type { ScoringStats } from './scoring-provider.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';

// --- Settings -----------------------------------------------------------------------------------------

function integerFrom(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

function levelsFrom(name: string, fallback: number[]): number[] {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const levels = raw.split(',').map((part) => Number(part.trim()));
  if (levels.some((level) => !Number.isInteger(level) || level <= 0))
    throw new Error(`${name} must list whole numbers, like 16,64, got "${raw}"`);
  return levels;
}

const scenarios = ['single', 'burst'] as const;
type ScenarioName = (typeof scenarios)[number];

function onlyFrom(name: string): Set<ScenarioName> {
  const raw = process.env[name]?.trim();
  if (!raw) return new Set(scenarios);
  const picked = raw.split(',').map((part) => part.trim());
  const unknown = picked.filter((part) => !(scenarios as readonly string[]).includes(part));
  if (unknown.length > 0)
    throw new Error(`${name} takes ${scenarios.join(', ')}; got "${unknown.join(', ')}"`);
  return new Set(picked as ScenarioName[]);
}

const settings = {
  /** How long the fake provider takes to answer each scoring call. */
  delayMs: integerFrom('BENCH_SCORING_DELAY_MS', 2000, 0),
  /** Rubric dimensions: one scoring call each, plus one for the summary. */
  dimensions: Math.min(12, integerFrom('BENCH_DIMENSIONS', 6)),
  /** Text answers each interview gets before it is ended. */
  answers: integerFrom('BENCH_ANSWERS', 3),
  singleRuns: integerFrom('BENCH_SINGLE_RUNS', 5),
  /** The cap for the single scenario: the platform's default, more than one scorecard's calls. */
  singleConcurrency: integerFrom('BENCH_SINGLE_CONCURRENCY', 8),
  burst: integerFrom('BENCH_BURST', 100),
  burstConcurrency: levelsFrom('BENCH_BURST_CONCURRENCY', [16, 64]),
  only: onlyFrom('BENCH_ONLY'),
  postgresUrl: process.env.BENCH_POSTGRES_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL?.trim() || 'redis://127.0.0.1:6379',
  logLevel: process.env.BENCH_LOG_LEVEL?.trim() || 'warn',
};

const callsPerScorecard = settings.dimensions + 1;
const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Long enough (12 words or more) to read as a full answer. */
const answerText =
  'At my last company I designed the payments ledger: double-entry accounts in Postgres, idempotent writes keyed by request, and a nightly reconciliation job that caught drift early.';

/** Two more questions than answers, so no interview ends on its own before the bench ends it. */
const questions = Array.from({ length: settings.answers + 2 }, (_, i) => ({
  text: `Question ${i + 1}: tell me about a hard technical decision you made, and what you would change now.`,
}));

const dimensionNames = [
  'System design',
  'Technical depth',
  'Problem solving',
  'Communication',
  'Ownership',
  'Collaboration',
  'Operational judgement',
  'Security awareness',
  'Testing',
  'Product sense',
  'Mentoring',
  'Learning',
];

const rubric = {
  dimensions: dimensionNames.slice(0, settings.dimensions).map((name, i) => ({
    key: name.toLowerCase().replaceAll(' ', '_'),
    name,
    description: `How well the candidate shows ${name.toLowerCase()} in their answers.`,
    weight: i === 0 ? 2 : 1,
    levels: { '1': 'No evidence.', '3': 'Meets what the role needs.', '5': 'Exceptional.' },
  })),
};

// --- Machine ------------------------------------------------------------------------------------------

const withAdmin = <T>(run: (client: pg.Client) => Promise<T>): Promise<T> =>
  withPostgres(settings.postgresUrl, run);

async function describeMachine(): Promise<string[]> {
  const pgVersion = await withAdmin(async (client) => {
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  });
  const cpus = os.cpus();
  return [
    `date:     ${new Date().toISOString()}`,
    `machine:  ${cpus.length} CPUs × ${cpus[0]?.model ?? 'unknown'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}`,
    `runtime:  Node ${process.version}, PostgreSQL ${pgVersion}, Redis at ${settings.redisUrl}`,
    `code:     ${describeCode()}`,
    `setup:    candidates in this process; the platform and the fake provider each in its own process; all on this machine`,
    `load:     ${settings.dimensions} dimensions (${callsPerScorecard} scoring calls a scorecard), each call answered after ${settings.delayMs} ms; ${settings.answers} text answers an interview`,
    `load avg: ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} (1/5/15 min, before the run)`,
  ];
}

// --- Provider -----------------------------------------------------------------------------------------

async function providerStats(provider: ServerProcess, reset = false): Promise<ScoringStats> {
  if (reset) {
    const res = await fetch(`${provider.url}/bench/scoring/reset`, { method: 'POST' });
    if (res.status !== 204) throw new Error(`the fake provider's reset answered ${res.status}`);
  }
  const res = await fetch(`${provider.url}/bench/scoring`);
  if (!res.ok) throw new Error(`the fake provider's stats answered ${res.status}`);
  return (await res.json()) as ScoringStats;
}

// --- A platform on a fresh database -------------------------------------------------------------------

interface Stage {
  url: URL;
  /** Set-up requests and the `end` calls: keep-alive, no cap on sockets. */
  agent: http.Agent;
  /** Event streams: one socket each while an interview is readied. */
  streamAgent: http.Agent;
  /** The stage's own database, for reading scorecards. */
  db: pg.Client;
  liveKey: string;
  jobId: string;
  /** This process, the fake provider and the platform: /proc counts everything else as others'. */
  pids: number[];
  platformPid: number;
}

let interrupted = false;
const drivers = new Set<InterviewDriver>();

function throwIfInterrupted(): void {
  if (interrupted) throw new Error('Interrupted');
}

function log(line: string): void {
  process.stderr.write(`… ${line}\n`);
}

async function call<T>(stage: Stage, method: string, path: string, key: string, body?: unknown): Promise<T> {
  const res = await request(stage.agent, stage.url, method, path, key, body);
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text) as T;
}

/** Runs `run` against a platform with scoring calls capped at `concurrency`, on a database of its own. */
async function onStage<T>(
  concurrency: number,
  provider: ServerProcess,
  run: (stage: Stage) => Promise<T>,
): Promise<T> {
  const database = `viva_bench_${randomBytes(6).toString('hex')}`;
  const dataDir = await mkdtemp(join(os.tmpdir(), 'viva-bench-'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  let databaseCreated = false;
  let platform: ServerProcess | null = null;
  let db: pg.Client | null = null;
  try {
    await withAdmin((client) => client.query(`create database ${database}`));
    databaseCreated = true;
    const databaseUrl = databaseUrlFor(settings.postgresUrl, database);
    platform = await spawnServer('platform', here('./platform-server.ts'), {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: settings.logLevel,
      VIVA_DATA_DIR: dataDir,
      VIVA_ADMIN_KEY: adminKey,
      DATABASE_URL: databaseUrl,
      REDIS_URL: settings.redisUrl,
      VIVA_RATE_LIMIT_PER_KEY: '1000000',
      VIVA_RATE_LIMIT_PER_TENANT: '1000000',
      VIVA_INTERVIEW_TOKEN_BUDGET: '10000000',
      // No webhook endpoints exist: the only background work is scoring's.
      VIVA_WEBHOOK_WORKER: 'false',
      VIVA_SCORING_CONCURRENCY: String(concurrency),
      LLM_BASE_URL: `${provider.url}/v1`,
      LLM_MODEL: 'bench-interviewer',
      LLM_SCORING_MODEL: 'bench-scorer',
      TTS_BASE_URL: `${provider.url}/v1`,
      TTS_MODEL: 'bench-speech',
      TTS_FORMAT: 'mp3',
    });
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const platformPid = platform.child.pid ?? 0;
    const stage: Stage = {
      url: new URL(platform.url),
      agent,
      streamAgent,
      db,
      liveKey: '',
      jobId: '',
      pids: [process.pid, provider.child.pid ?? 0, platformPid],
      platformPid,
    };
    const tenant = await call<{ api_keys: { live: string } }>(stage, 'POST', '/admin/v1/tenants', adminKey, {
      name: 'Bench ATS',
    });
    stage.liveKey = tenant.api_keys.live;
    const job = await call<{ id: string }>(stage, 'POST', '/v1/jobs', stage.liveKey, {
      title: 'Senior Backend Engineer',
      description: 'Builds and runs the payments platform.',
      questions,
      rubric,
      settings: { max_duration_seconds: 7200, max_follow_ups: 0 },
    });
    stage.jobId = job.id;
    return await run(stage);
  } finally {
    await db?.end().catch(() => undefined);
    agent.destroy();
    streamAgent.destroy();
    await platform?.stop();
    if (databaseCreated) {
      await withAdmin((client) => client.query(`drop database if exists ${database} with (force)`));
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

// --- Interviews ---------------------------------------------------------------------------------------

interface Ready {
  interviewId: string;
  token: string;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await sleep(10)) {
    throwIfInterrupted();
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
  }
}

/**
 * A live interview, started and answered `settings.answers` times, each answer after the interviewer's
 * previous reply had finished: everything but the end, which the caller sends.
 */
async function readyInterview(stage: Stage, n: number): Promise<Ready> {
  const key = stage.liveKey;
  const candidate = await call<{ id: string }>(stage, 'POST', '/v1/candidates', key, {
    name: `Candidate ${n}`,
    email: `candidate${n}@example.com`,
  });
  const interview = await call<{ id: string }>(stage, 'POST', '/v1/interviews', key, {
    job_id: stage.jobId,
    candidate_id: candidate.id,
  });
  const session = await call<{ token: string }>(
    stage,
    'POST',
    `/v1/interviews/${interview.id}/sessions`,
    key,
    {},
  );
  const errors: string[] = [];
  // The first answer goes on release; the next ones as soon as the turn comes back, until all are given.
  let answersLeft = settings.answers - 1;
  const driver = new InterviewDriver({
    url: stage.url,
    token: session.token,
    streamAgent: stage.streamAgent,
    requestAgent: stage.agent,
    answerText,
    thinkMs: () => (answersLeft-- > 0 ? 0 : 3_600_000),
    replyTimeoutMs: 30_000,
    onAnswer: () => undefined,
    onError: (kind, detail) => errors.push(`${kind} (${detail})`),
  });
  drivers.add(driver);
  try {
    await driver.connect();
    await driver.start();
    await until(`interview ${interview.id} hears its first question`, () => driver.ready, 30_000);
    driver.release(0);
    await until(
      `interview ${interview.id} has its ${settings.answers} answers replied to`,
      () => (driver.replies >= settings.answers && !driver.busy) || errors.length > 0,
      60_000,
    );
  } finally {
    driver.close();
    drivers.delete(driver);
  }
  if (errors.length > 0) throw new Error(`interview ${interview.id}: ${errors.join('; ')}`);
  return { interviewId: interview.id, token: session.token };
}

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !interrupted) {
      const at = next++;
      results[at] = await work(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  throwIfInterrupted();
  return results;
}

async function endInterview(stage: Stage, ready: Ready): Promise<void> {
  const res = await request(stage.agent, stage.url, 'POST', '/v1/session/end', ready.token, {});
  if (res.status !== 200)
    throw new Error(`POST /v1/session/end answered ${res.status}: ${res.text.slice(0, 300)}`);
}

// --- Scorecards ---------------------------------------------------------------------------------------

interface ScorecardRow {
  interviewId: string;
  status: 'pending' | 'completed' | 'failed';
  attempts: number;
  /** Epoch ms, from the platform's clock, as the rows hold them. */
  createdAt: number;
  completedAt: number | null;
  failedAt: number | null;
  interviewCompletedAt: number | null;
  failure: { code: string; message: string } | null;
}

async function scorecardRows(db: pg.Client, interviewIds: string[]): Promise<ScorecardRow[]> {
  const result = await db.query<{
    interview_id: string;
    status: ScorecardRow['status'];
    attempts: number;
    created_ms: string;
    completed_ms: string | null;
    failed_ms: string | null;
    interview_completed_ms: string | null;
    failure: ScorecardRow['failure'];
  }>(
    `select s.interview_id, s.status, s.attempts, s.failure,
            extract(epoch from s.created_at) * 1000 as created_ms,
            extract(epoch from s.completed_at) * 1000 as completed_ms,
            extract(epoch from s.failed_at) * 1000 as failed_ms,
            extract(epoch from i.completed_at) * 1000 as interview_completed_ms
       from scorecards s join interviews i on i.id = s.interview_id
      where s.interview_id = any($1)
      order by s.created_at`,
    [interviewIds],
  );
  const ms = (value: string | null): number | null => (value === null ? null : Number(value));
  return result.rows.map((row) => ({
    interviewId: row.interview_id,
    status: row.status,
    attempts: row.attempts,
    createdAt: Number(row.created_ms),
    completedAt: ms(row.completed_ms),
    failedAt: ms(row.failed_ms),
    interviewCompletedAt: ms(row.interview_completed_ms),
    failure: row.failure,
  }));
}

/** Polls the database until every one of these interviews has a scorecard and none is pending. */
async function settledRows(
  db: pg.Client,
  interviewIds: string[],
  timeoutMs: number,
  pollMs: number,
): Promise<ScorecardRow[]> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(pollMs)) {
    throwIfInterrupted();
    const result = await db.query<{ settled: string }>(
      `select count(*) filter (where status <> 'pending') as settled from scorecards where interview_id = any($1)`,
      [interviewIds],
    );
    if (Number(result.rows[0]?.settled ?? 0) >= interviewIds.length) return scorecardRows(db, interviewIds);
    if (Date.now() > deadline) {
      const rows = await scorecardRows(db, interviewIds);
      const pending = interviewIds.length - rows.filter((row) => row.status !== 'pending').length;
      throw new Error(
        `${pending} of ${interviewIds.length} scorecards still unsettled after ${timeoutMs} ms`,
      );
    }
  }
}

interface ScorecardBody {
  status: string;
  dimensions: {
    key: string;
    evidence: unknown[];
    evidence_check: { reasked: boolean; dropped: unknown[] };
  }[];
  summary: string | null;
  created_at: string;
  completed_at: string | null;
}

/** What GET /v1/interviews/{id}/scorecard says is wrong with a scorecard that should be complete. */
async function checkScorecard(stage: Stage, interviewId: string): Promise<string | null> {
  const res = await request(
    stage.agent,
    stage.url,
    'GET',
    `/v1/interviews/${interviewId}/scorecard`,
    stage.liveKey,
  );
  if (res.status !== 200) return `GET scorecard answered ${res.status}: ${res.text.slice(0, 200)}`;
  const body = JSON.parse(res.text) as ScorecardBody;
  if (body.status !== 'completed') return `status ${body.status}`;
  if (body.dimensions.length !== settings.dimensions)
    return `${body.dimensions.length} dimensions, not ${settings.dimensions}`;
  const unsupported = body.dimensions.filter((d) => d.evidence.length === 0).map((d) => d.key);
  if (unsupported.length > 0) return `no evidence kept for ${unsupported.join(', ')}`;
  const reasked = body.dimensions.filter((d) => d.evidence_check.reasked).map((d) => d.key);
  if (reasked.length > 0) return `asked again for ${reasked.join(', ')}`;
  if (!body.summary) return 'no summary';
  if (!body.completed_at) return 'no completed_at';
  return null;
}

// --- Scenarios ----------------------------------------------------------------------------------------

interface SingleRun {
  /** Scorecard created_at → completed_at, ms. */
  latency: number;
  /** Interview completed_at → scorecard created_at, ms (the same transaction: about 0). */
  queued: number;
  /** This process: the end call sent → the settled row seen (polling every 5 ms). */
  observed: number;
  /** Scorecard created_at → the first scoring call reached the provider, ms (the claim). */
  toFirstCall: number;
  /** First call in → last reply out, at the provider, ms. */
  calling: number;
  /** Last reply out → scorecard completed_at, ms (parsing, checking, recording). */
  toRecord: number;
  calls: number;
  maxInFlight: number;
  reasks: number;
  problem: string | null;
  status: string;
}

interface Single {
  concurrency: number;
  warmup: SingleRun;
  runs: SingleRun[];
}

async function singleRun(stage: Stage, provider: ServerProcess, n: number): Promise<SingleRun> {
  const ready = await readyInterview(stage, n);
  await providerStats(provider, true);
  const sent = performance.now();
  await endInterview(stage, ready);
  const [row] = await settledRows(stage.db, [ready.interviewId], 60_000, 5);
  const observed = performance.now() - sent;
  const stats = await providerStats(provider);
  if (!row) throw new Error(`no scorecard for ${ready.interviewId}`);
  const problem = row.status === 'completed' ? await checkScorecard(stage, ready.interviewId) : null;
  const settledAt = row.completedAt ?? row.failedAt ?? Number.NaN;
  return {
    latency: settledAt - row.createdAt,
    toFirstCall: (stats.firstCallAt ?? Number.NaN) - row.createdAt,
    calling: (stats.lastReplyAt ?? Number.NaN) - (stats.firstCallAt ?? Number.NaN),
    toRecord: settledAt - (stats.lastReplyAt ?? Number.NaN),
    queued: row.createdAt - (row.interviewCompletedAt ?? Number.NaN),
    observed,
    calls: stats.calls,
    maxInFlight: stats.maxInFlight,
    reasks: stats.reasks,
    problem: problem ?? (row.status === 'completed' ? null : `status ${row.status}: ${row.failure?.message}`),
    status: row.status,
  };
}

async function runSingle(provider: ServerProcess): Promise<Single> {
  return onStage(settings.singleConcurrency, provider, async (stage) => {
    log(`single: warm-up scorecard (cap ${settings.singleConcurrency})`);
    const warmup = await singleRun(stage, provider, 0);
    const runs: SingleRun[] = [];
    for (let i = 1; i <= settings.singleRuns; i++) {
      throwIfInterrupted();
      runs.push(await singleRun(stage, provider, i));
      log(`single: run ${i} of ${settings.singleRuns}: ${fixed(runs.at(-1)!.latency / 1000, 2)} s`);
    }
    return { concurrency: settings.singleConcurrency, warmup, runs };
  });
}

interface Burst {
  concurrency: number;
  rows: ScorecardRow[];
  stats: ScoringStats;
  /** This process: from the first end call sent to the last answered, ms. */
  endSpread: number;
  /** From just before the end calls until every scorecard settled. */
  cpu: CpuShare | null;
  problems: string[];
}

async function runBurst(provider: ServerProcess, concurrency: number): Promise<Burst> {
  return onStage(concurrency, provider, async (stage) => {
    log(`burst, cap ${concurrency}: readying ${settings.burst} interviews`);
    const ready = await inParallel(
      Array.from({ length: settings.burst }, (_, i) => i + 1),
      16,
      (n) => readyInterview(stage, n),
    );
    const ids = ready.map((r) => r.interviewId);
    await providerStats(provider, true);
    log(`burst, cap ${concurrency}: ending ${settings.burst} interviews at once`);
    const cpu = watchCpu(() => stage.pids, stage.platformPid);
    const first = performance.now();
    await Promise.all(ready.map((r) => endInterview(stage, r)));
    const endSpread = performance.now() - first;
    // The slowest a cap allows, several times over: the scorecards queue for it.
    const idealMs = Math.ceil((settings.burst * callsPerScorecard) / concurrency) * settings.delayMs;
    const rows = await settledRows(stage.db, ids, Math.max(120_000, 4 * idealMs), 100);
    const share = cpu.stop();
    const stats = await providerStats(provider);
    log(`burst, cap ${concurrency}: checking the scorecards through the API`);
    const problems = (
      await inParallel(ids, 16, async (id) => {
        const problem = await checkScorecard(stage, id);
        return problem ? `${id}: ${problem}` : null;
      })
    ).filter((p): p is string => p !== null);
    return { concurrency, rows, stats, endSpread, cpu: share, problems };
  });
}

// --- Report -------------------------------------------------------------------------------------------

const seconds = (ms: number, digits = 2): string => fixed(ms / 1000, digits);

function sorted(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function singleReport(single: Single): string {
  const latencies = sorted(single.runs.map((r) => r.latency));
  const sequentialMs = callsPerScorecard * settings.delayMs;
  return [
    `One scorecard at a time (${settings.dimensions} dimensions + summary = ${callsPerScorecard} calls, each answered after ${seconds(settings.delayMs, 1)} s; cap ${single.concurrency}):`,
    '',
    table(
      ['figure', 'median s', 'max s', 'min s', 'runs s', 'warm-up s', 'one call after another s'],
      [
        [
          'created_at → completed_at',
          seconds(percentile(latencies, 50)),
          seconds(latencies.at(-1) ?? Number.NaN),
          seconds(latencies[0] ?? Number.NaN),
          single.runs.map((r) => seconds(r.latency)).join(', '),
          seconds(single.warmup.latency),
          seconds(sequentialMs, 1),
        ],
        [
          'end call sent → settled row seen',
          seconds(percentile(sorted(single.runs.map((r) => r.observed)), 50)),
          seconds(Math.max(...single.runs.map((r) => r.observed))),
          seconds(Math.min(...single.runs.map((r) => r.observed))),
          single.runs.map((r) => seconds(r.observed)).join(', '),
          seconds(single.warmup.observed),
          '',
        ],
      ],
    ),
    '',
    'Where the time goes, per run: created_at → first call at the provider (the worker claiming it); first',
    'call in → last reply out; last reply → completed_at (checking and recording). Milliseconds:',
    '',
    table(
      ['run', 'to first call', 'calls', 'to completed_at', 'total'],
      [single.warmup, ...single.runs].map((r, i) => [
        i === 0 ? 'warm-up' : String(i),
        fixed(r.toFirstCall, 0),
        fixed(r.calling, 0),
        fixed(r.toRecord, 0),
        fixed(r.latency, 0),
      ]),
    ),
    '',
    `Provider calls per scorecard: ${single.runs.map((r) => r.calls).join(', ')}; most in flight at once: ${Math.max(...single.runs.map((r) => r.maxInFlight))}; re-asks: ${single.runs.reduce((n, r) => n + r.reasks, 0)}.`,
    `Interview completed_at → scorecard created_at: ${single.runs.map((r) => fixed(r.queued, 0)).join(', ')} ms.`,
  ].join('\n');
}

function burstReport(bursts: Burst[]): string {
  return [
    `${settings.burst} interviews ended at once (${settings.burst * callsPerScorecard} scoring calls, each answered after ${seconds(settings.delayMs, 1)} s):`,
    '',
    table(
      [
        'cap',
        'completed',
        'failed',
        'pending',
        'total s',
        'fastest the cap allows s',
        'scorecards/min',
        'max in flight',
        'calls',
        'latency p50 s',
        'p95 s',
        'max s',
        'completions spread s',
        'platform CPU ms/scorecard',
        'others %',
        'steal %',
      ],
      bursts.map((burst) => {
        const { rows, stats, concurrency } = burst;
        const count = (status: string): number => rows.filter((row) => row.status === status).length;
        const firstCompletion = Math.min(...rows.map((row) => row.createdAt));
        const lastSettled = Math.max(...rows.map((row) => row.completedAt ?? row.failedAt ?? Number.NaN));
        const totalMs = lastSettled - firstCompletion;
        const latencies = sorted(rows.map((row) => (row.completedAt ?? Number.NaN) - row.createdAt));
        const createdSpread = Math.max(...rows.map((row) => row.createdAt)) - firstCompletion;
        const idealMs = Math.ceil((settings.burst * callsPerScorecard) / concurrency) * settings.delayMs;
        return [
          String(concurrency),
          String(count('completed')),
          String(count('failed')),
          String(settings.burst - count('completed') - count('failed')),
          seconds(totalMs, 1),
          seconds(idealMs, 1),
          fixed((count('completed') / totalMs) * 60_000, 1),
          String(stats.maxInFlight),
          String(stats.calls),
          seconds(percentile(latencies, 50), 1),
          seconds(percentile(latencies, 95), 1),
          seconds(latencies.at(-1) ?? Number.NaN, 1),
          seconds(createdSpread, 2),
          burst.cpu ? fixed(burst.cpu.serverMs / settings.burst, 1) : '-',
          burst.cpu ? fixed(burst.cpu.others, 0) : '-',
          burst.cpu ? fixed(burst.cpu.steal, 0) : '-',
        ];
      }),
    ),
    '',
    'total: the first scorecard created_at (the first interview completed) to the last completed_at.',
    'fastest the cap allows: every call in full waves of `cap` calls, ceil(calls / cap) × the delay.',
    'max in flight: the most scoring calls the fake provider had open at once; it must not exceed the cap.',
    "latency: each scorecard's created_at → completed_at, waiting in the queue included (nearest rank).",
    "completions spread: first to last scorecard created_at, i.e. how 'at once' the interviews completed.",
    'platform CPU: CPU time of the platform process from the end calls to the last scorecard, ending the',
    'interviews included, per scorecard. others: the machine share of processes other than this one, the',
    'platform, the fake provider, PostgreSQL and Redis; steal: the hypervisor (from /proc, Linux only).',
  ].join('\n');
}

function failures(single: Single | null, bursts: Burst[]): string[] {
  const out: string[] = [];
  if (single) {
    for (const [i, run] of [single.warmup, ...single.runs].entries()) {
      const label = i === 0 ? 'single warm-up' : `single run ${i}`;
      if (run.problem) out.push(`${label}: ${run.problem}`);
      if (run.reasks > 0) out.push(`${label}: ${run.reasks} re-asks`);
      if (run.calls !== callsPerScorecard) out.push(`${label}: ${run.calls} calls, not ${callsPerScorecard}`);
      if (run.maxInFlight > single.concurrency)
        out.push(`${label}: ${run.maxInFlight} calls in flight, over the cap of ${single.concurrency}`);
    }
  }
  for (const burst of bursts) {
    const label = `burst cap ${burst.concurrency}`;
    const bad = burst.rows.filter((row) => row.status !== 'completed');
    if (burst.rows.length !== settings.burst)
      out.push(`${label}: ${burst.rows.length} scorecards for ${settings.burst} interviews`);
    if (bad.length > 0)
      out.push(`${label}: ${bad.length} not completed (e.g. ${bad[0]!.status}: ${bad[0]!.failure?.message})`);
    if (burst.stats.maxInFlight > burst.concurrency)
      out.push(`${label}: ${burst.stats.maxInFlight} calls in flight, over the cap of ${burst.concurrency}`);
    if (burst.stats.reasks > 0) out.push(`${label}: ${burst.stats.reasks} re-asks`);
    if (burst.stats.refused > 0 || burst.stats.aborted > 0)
      out.push(`${label}: ${burst.stats.refused} refused and ${burst.stats.aborted} abandoned calls`);
    const retried = burst.rows.filter((row) => row.attempts > 1).length;
    if (retried > 0) out.push(`${label}: ${retried} scorecards took more than one attempt`);
    for (const problem of burst.problems.slice(0, 5)) out.push(`${label}: ${problem}`);
    if (burst.problems.length > 5) out.push(`${label}: … and ${burst.problems.length - 5} more`);
  }
  return out;
}

// --- Main ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  console.log((await describeMachine()).join('\n'));
  console.log('');
  const provider = await spawnServer('fake-provider', here('./scoring-provider.ts'), {
    PATH: process.env.PATH ?? '',
    BENCH_SCORING_DELAY_MS: String(settings.delayMs),
  });
  let single: Single | null = null;
  const bursts: Burst[] = [];
  try {
    if (settings.only.has('single')) single = await runSingle(provider);
    if (settings.only.has('burst')) {
      for (const concurrency of settings.burstConcurrency) bursts.push(await runBurst(provider, concurrency));
    }
  } finally {
    await provider.stop();
  }
  if (single) console.log(`${singleReport(single)}\n`);
  if (bursts.length > 0) console.log(`${burstReport(bursts)}\n`);
  const failed = failures(single, bursts);
  for (const line of failed) console.error(`FAIL ${line}`);
  return failed.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    for (const driver of drivers) driver.close();
  });
}

main().then(
  (code) => {
    process.exitCode = interrupted ? 130 : code;
  },
  (error: unknown) => {
    if (interrupted) {
      console.error('Interrupted: servers stopped, bench databases dropped.');
      process.exitCode = 130;
      return;
    }
    console.error(error);
    process.exitCode = 1;
  },
);
