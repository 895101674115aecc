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
import { callWithAgent } from './api-call.ts';
import { benchDatabase } from './bench-database.ts';
import {
  defaultPostgresUrl,
  defaultRedisUrl,
  integerFrom,
  listFrom,
  printMachine,
  textFrom,
} from './bench-env.ts';
import { watchCpu } from './cpu-share.ts';
import { inParallel } from './in-parallel.ts';
import { InterviewDriver, request } from './interview-driver.ts';
import { fixed } from './report.ts';
import { runMain, throwIfInterrupted } from './run-main.ts';
import type { ScoringStats } from './scoring-provider.ts';
import {
  type Burst,
  burstReport,
  failures,
  type ScorecardRow,
  type Single,
  type SingleRun,
  singleReport,
} from './scoring-report.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';

// --- Settings -----------------------------------------------------------------------------------------

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
  burstConcurrency: listFrom('BENCH_BURST_CONCURRENCY', [16, 64], 'whole numbers, like 16,64'),
  only: onlyFrom('BENCH_ONLY'),
  postgresUrl: textFrom('BENCH_POSTGRES_URL', defaultPostgresUrl),
  redisUrl: textFrom('BENCH_REDIS_URL', defaultRedisUrl),
  logLevel: textFrom('BENCH_LOG_LEVEL', 'warn'),
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

const drivers = new Set<InterviewDriver>();

function log(line: string): void {
  process.stderr.write(`… ${line}\n`);
}

function call<T>(stage: Stage, method: string, path: string, key: string, body?: unknown): Promise<T> {
  return callWithAgent<T>(stage, method, path, key, body, 300);
}

/** Runs `run` against a platform with scoring calls capped at `concurrency`, on a database of its own. */
async function onStage<T>(
  concurrency: number,
  provider: ServerProcess,
  run: (stage: Stage) => Promise<T>,
): Promise<T> {
  const database = benchDatabase(settings.postgresUrl);
  const dataDir = await mkdtemp(join(os.tmpdir(), 'viva-bench-'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  let platform: ServerProcess | null = null;
  let db: pg.Client | null = null;
  try {
    await database.create();
    platform = await spawnServer('platform', here('./platform-server.ts'), {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: settings.logLevel,
      VIVA_DATA_DIR: dataDir,
      VIVA_ADMIN_KEY: adminKey,
      DATABASE_URL: database.url,
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
    db = new pg.Client({ connectionString: database.url });
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
    await database.drop();
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

async function endInterview(stage: Stage, ready: Ready): Promise<void> {
  const res = await request(stage.agent, stage.url, 'POST', '/v1/session/end', ready.token, {});
  if (res.status !== 200)
    throw new Error(`POST /v1/session/end answered ${res.status}: ${res.text.slice(0, 300)}`);
}

// --- Scorecards ---------------------------------------------------------------------------------------

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

async function runBurst(provider: ServerProcess, concurrency: number): Promise<Burst> {
  return onStage(concurrency, provider, async (stage) => {
    log(`burst, cap ${concurrency}: readying ${settings.burst} interviews`);
    const ready = await inParallel(
      Array.from({ length: settings.burst }, (_, i) => i + 1),
      16,
      (n) => readyInterview(stage, n),
    );
    throwIfInterrupted();
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
    throwIfInterrupted();
    return { concurrency, rows, stats, endSpread, cpu: share, problems };
  });
}

// --- Main ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  await printMachine({
    postgresUrl: settings.postgresUrl,
    redisUrl: settings.redisUrl,
    setup:
      'candidates in this process; the platform and the fake provider each in its own process; all on this machine',
    load: `${settings.dimensions} dimensions (${callsPerScorecard} scoring calls a scorecard), each call answered after ${settings.delayMs} ms; ${settings.answers} text answers an interview`,
  });
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
  const load = {
    dimensions: settings.dimensions,
    callsPerScorecard,
    delayMs: settings.delayMs,
    burst: settings.burst,
  };
  if (single) console.log(`${singleReport(single, load)}\n`);
  if (bursts.length > 0) console.log(`${burstReport(bursts, load)}\n`);
  const failed = failures(single, bursts, load);
  for (const line of failed) console.error(`FAIL ${line}`);
  return failed.length > 0 ? 1 : 0;
}

runMain(main, {
  interruptedMessage: 'Interrupted: servers stopped, bench databases dropped.',
  onInterrupt: () => {
    for (const driver of drivers) driver.close();
  },
});
