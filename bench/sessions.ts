import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { databaseUrlFor, describeCode, withPostgres } from './bench-env.ts';
import { type CpuShare, watchCpu } from './cpu-share.ts';
import { InterviewDriver, type ReplyTiming, request } from './interview-driver.ts';
import { fixed, percentile, table } from './report.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';
import type {
  MemoryReading,
  PlatformCommand,
  PlatformReply,
  PlatformRequest,
  RedisCounters,
} from './sessions-platform.ts';

// --- Settings -----------------------------------------------------------------------------------------

function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function levelsFrom(name: string, fallback: number[]): number[] {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const levels = raw.split(',').map((part) => Number(part.trim()));
  if (levels.some((level) => !Number.isInteger(level) || level <= 0))
    throw new Error(`${name} must list whole numbers of sessions, like 100,500, got "${raw}"`);
  return levels;
}

const settings = {
  levels: levelsFrom('BENCH_SESSIONS', [100, 500, 1000]),
  thinkSeconds: numberFrom('BENCH_THINK_SECONDS', 4),
  warmupSeconds: numberFrom('BENCH_WARMUP_SECONDS', 5),
  seconds: numberFrom('BENCH_SECONDS', 20),
  replyTimeoutSeconds: numberFrom('BENCH_REPLY_TIMEOUT_SECONDS', 30),
  postgresUrl: process.env.BENCH_POSTGRES_URL?.trim() || 'postgresql://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.BENCH_REDIS_URL?.trim() || 'redis://127.0.0.1:6379',
  logLevel: process.env.BENCH_LOG_LEVEL?.trim() || 'warn',
  profileDir: process.env.BENCH_PROFILE_DIR?.trim() || null,
  nodeArgs: process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [],
};

/** The targets, checked at the largest level that ran. */
const target = { sessions: 1000, p95Ms: 50, heapPerSessionBytes: 2 ** 20 };

const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Long enough (12 words or more) to read as a full answer. */
const answerText =
  'At my last company I designed the payments ledger: double-entry accounts in Postgres, idempotent writes keyed by request, and a nightly reconciliation job that caught drift early.';

/** More questions than any interview can reach in one level, so none finishes while it is measured. */
const questions = Array.from({ length: 50 }, (_, i) => ({
  text: `Question ${i + 1}: tell me about a hard technical decision you made, and what you would change now.`,
}));

// --- Machine and database -----------------------------------------------------------------------------

const withAdmin = <T>(run: (client: pg.Client) => Promise<T>): Promise<T> =>
  withPostgres(settings.postgresUrl, run);

const databaseUrl = (database: string): string => databaseUrlFor(settings.postgresUrl, database);

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
    `load:     think ${settings.thinkSeconds} s (±50 %) before each answer; warm-up ${settings.warmupSeconds} s; measured ${settings.seconds} s`,
    `load avg: ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} (1/5/15 min, before the run)`,
  ];
}

// --- Platform -----------------------------------------------------------------------------------------

interface Platform {
  server: ServerProcess;
  url: URL;
  ask(command: PlatformCommand): Promise<PlatformReply>;
}

async function startPlatform(database: string, dataDir: string, providerUrl: string): Promise<Platform> {
  const server = await spawnServer(
    'platform',
    here('./sessions-platform.ts'),
    {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: settings.logLevel,
      VIVA_DATA_DIR: dataDir,
      VIVA_ADMIN_KEY: adminKey,
      DATABASE_URL: databaseUrl(database),
      REDIS_URL: settings.redisUrl,
      VIVA_RATE_LIMIT_PER_KEY: '1000000',
      VIVA_RATE_LIMIT_PER_TENANT: '1000000',
      VIVA_INTERVIEW_TOKEN_BUDGET: '10000000',
      LLM_BASE_URL: `${providerUrl}/v1`,
      LLM_MODEL: 'bench-interviewer',
      TTS_BASE_URL: `${providerUrl}/v1`,
      TTS_MODEL: 'bench-speech',
      TTS_FORMAT: 'mp3',
    },
    { nodeArgs: ['--expose-gc', ...settings.nodeArgs], ipc: true },
  );
  let nextId = 0;
  const pending = new Map<number, (reply: PlatformReply) => void>();
  server.child.on('message', (reply: PlatformReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  return {
    server,
    url: new URL(server.url),
    ask(command) {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        pending.set(id, (reply) =>
          reply.error ? reject(new Error(`platform: ${reply.error}`)) : resolve(reply),
        );
        server.child.send({ ...command, id } satisfies PlatformRequest);
      });
    },
  };
}

async function redisCounters(platform: Platform): Promise<RedisCounters> {
  const reply = await platform.ask({ type: 'redis' });
  if (!reply.redis) throw new Error('the platform sent no Redis counters');
  return reply.redis;
}

async function memory(platform: Platform, collect: boolean): Promise<MemoryReading> {
  const reply = await platform.ask({ type: 'memory', collect });
  if (!reply.memory) throw new Error('the platform sent no memory reading');
  return reply.memory;
}

// --- Fixtures -----------------------------------------------------------------------------------------

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
  return results;
}

interface Interview {
  id: string;
  token: string;
}

async function createInterviews(
  platform: Platform,
  agent: http.Agent,
  count: number,
): Promise<{ liveKey: string; interviews: Interview[] }> {
  const call = async <T>(method: string, path: string, key: string, body?: unknown): Promise<T> => {
    const res = await request(agent, platform.url, method, path, key, body);
    if (res.status < 200 || res.status > 299)
      throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return JSON.parse(res.text) as T;
  };
  const tenant = await call<{ api_keys: { live: string } }>('POST', '/admin/v1/tenants', adminKey, {
    name: 'Bench ATS',
  });
  const key = tenant.api_keys.live;
  const job = await call<{ id: string }>('POST', '/v1/jobs', key, {
    title: 'Senior Backend Engineer',
    questions,
    settings: { max_duration_seconds: 7200, max_follow_ups: 0 },
  });
  const interviews = await inParallel(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i): Promise<Interview> => {
      const candidate = await call<{ id: string }>('POST', '/v1/candidates', key, {
        name: `Candidate ${i + 1}`,
        email: `candidate${i + 1}@example.com`,
      });
      const interview = await call<{ id: string }>('POST', '/v1/interviews', key, {
        job_id: job.id,
        candidate_id: candidate.id,
      });
      const session = await call<{ token: string }>(
        'POST',
        `/v1/interviews/${interview.id}/sessions`,
        key,
        {},
      );
      return { id: interview.id, token: session.token };
    },
  );
  return { liveKey: key, interviews };
}

// --- One level ----------------------------------------------------------------------------------------

interface Errors {
  total: number;
  byKind: Map<string, { count: number; example: string }>;
}

interface Level {
  sessions: number;
  /** Answers sent in the measured window and taken (202), however their replies went. */
  answers: ReplyTiming[];
  /** Replies that finished in the measured window, whenever their answers were sent. */
  completed: number;
  windowSeconds: number;
  heapBefore: MemoryReading;
  heapLive: MemoryReading;
  /** Largest heap and RSS seen (without forcing a GC) while measuring. */
  peak: { heapUsed: number; rss: number };
  cpu: CpuShare | null;
  /** What Redis did in the measured window (its counters are server-wide: other clients count too). */
  redis: RedisCounters;
  /** This process's event-loop delay while measuring, ms: a busy load generator would skew the times. */
  clientDelay: { p99: number; max: number };
  errors: Errors;
}

const delayResolutionMs = 10;
let interrupted = false;
const drivers = new Set<InterviewDriver>();

function throwIfInterrupted(): void {
  if (interrupted) throw new Error('Interrupted');
}

async function runLevel(sessions: number, database: string, provider: ServerProcess): Promise<Level> {
  const errors: Errors = { total: 0, byKind: new Map() };
  const onError = (kind: string, detail: string): void => {
    errors.total += 1;
    const seen = errors.byKind.get(kind);
    if (seen) seen.count += 1;
    else errors.byKind.set(kind, { count: 1, example: detail });
  };
  const dataDir = await mkdtemp(join(os.tmpdir(), 'viva-bench-'));
  const requestAgent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const began = performance.now();
  const log = (line: string): void => {
    const at = ((performance.now() - began) / 1000).toFixed(0).padStart(3);
    process.stderr.write(`… ${sessions} sessions, ${at} s: ${line}\n`);
  };
  let platform: Platform | null = null;
  let interviews: Interview[] = [];
  const ours = new Set<InterviewDriver>();
  try {
    platform = await startPlatform(database, dataDir, provider.url);
    const benchPids = [process.pid, provider.child.pid ?? 0, platform.server.child.pid ?? 0];
    log('creating interviews');
    const fixtures = await createInterviews(platform, requestAgent, sessions + 1);
    interviews = fixtures.interviews;
    throwIfInterrupted();

    const answers: ReplyTiming[] = [];
    const driverFor = (interview: Interview, thinkMs: () => number): InterviewDriver => {
      const driver = new InterviewDriver({
        url: platform!.url,
        token: interview.token,
        streamAgent,
        requestAgent,
        answerText,
        thinkMs,
        replyTimeoutMs: settings.replyTimeoutSeconds * 1000,
        onAnswer: (timing) => answers.push(timing),
        onError,
      });
      ours.add(driver);
      drivers.add(driver);
      return driver;
    };

    // One interview first, so the code paths every session takes are loaded and compiled before the heap is
    // read without any session: their cost is the platform's, not the sessions'.
    log('warming up with one interview');
    const first = driverFor(interviews[0]!, () => 0);
    first.release();
    await first.connect();
    await first.start();
    for (const deadline = Date.now() + 30_000; first.replies < 3 && Date.now() < deadline; ) await sleep(50);
    first.close();
    await sleep(500);
    const heapBefore = await memory(platform, true);

    // Every interview is connected and has heard its first question before any answers, so the load starts
    // at once, each candidate's first answer a random pause (up to one think) later.
    log('connecting, starting and hearing the first questions');
    const thinkMs = (): number => settings.thinkSeconds * 1000 * (0.5 + Math.random());
    const live = interviews.slice(1).map((interview) => driverFor(interview, thinkMs));
    await inParallel(live, 32, async (driver) => {
      try {
        await driver.connect();
        await driver.start();
      } catch (error) {
        onError('connect or start', String(error));
      }
    });
    for (const deadline = Date.now() + 120_000; !interrupted && Date.now() < deadline; await sleep(100)) {
      if (live.every((driver) => driver.ready)) break;
    }
    const silent = live.filter((driver) => !driver.ready).length;
    if (silent > 0) onError('first question not heard within 120 s', `${silent} interviews`);
    throwIfInterrupted();
    for (const driver of live) driver.release(Math.random() * settings.thinkSeconds * 1000);

    log(`warm-up ${settings.warmupSeconds} s`);
    await sleep(settings.warmupSeconds * 1000);
    throwIfInterrupted();

    log(`measuring ${settings.seconds} s`);
    const peak = { heapUsed: 0, rss: 0 };
    const sampler = setInterval(() => {
      memory(platform!, false).then(
        (reading) => {
          peak.heapUsed = Math.max(peak.heapUsed, reading.heapUsed);
          peak.rss = Math.max(peak.rss, reading.rss);
        },
        () => undefined,
      );
    }, 2000);
    const delay = monitorEventLoopDelay({ resolution: delayResolutionMs });
    if (settings.profileDir) await platform.ask({ type: 'profile', file: null });
    const redisBefore = await redisCounters(platform);
    const cpu = watchCpu(() => benchPids, platform.server.child.pid ?? 0);
    delay.enable();
    const from = performance.now();
    await sleep(settings.seconds * 1000);
    const share = cpu.stop();
    const redisAfter = await redisCounters(platform);
    delay.disable();
    clearInterval(sampler);
    if (settings.profileDir) {
      const file = join(resolve(settings.profileDir), `sessions-${sessions}.cpuprofile`);
      await mkdir(dirname(file), { recursive: true });
      await platform.ask({ type: 'profile', file });
      log(`profile written to ${file}`);
    }
    const to = performance.now();
    const windowSeconds = (to - from) / 1000;
    throwIfInterrupted();

    // Let the replies to answers sent in the window finish, then read the heap of N idle, connected sessions.
    log('letting the last replies finish');
    for (const driver of live) driver.stopAnswering();
    for (
      const deadline = Date.now() + (settings.replyTimeoutSeconds + 1) * 1000;
      live.some((driver) => driver.busy) && Date.now() < deadline;
    )
      await sleep(100);
    await sleep(500);
    log('reading the heap');
    const heapLive = await memory(platform, true);

    return {
      sessions,
      answers: answers.filter((a) => a.outcome !== 'failed' && a.sentAt >= from && a.sentAt < to),
      completed: answers.filter((a) => a.done !== null && a.done >= from && a.done < to).length,
      windowSeconds,
      heapBefore,
      heapLive,
      peak,
      cpu: share,
      redis: {
        cpuMs: redisAfter.cpuMs - redisBefore.cpuMs,
        xreadCalls: redisAfter.xreadCalls - redisBefore.xreadCalls,
        xreadUsec: redisAfter.xreadUsec - redisBefore.xreadUsec,
      },
      // The histogram holds whole intervals between its timer's ticks: the lag is what exceeds the interval.
      clientDelay: {
        p99: Math.max(0, delay.percentile(99) / 1e6 - delayResolutionMs),
        max: Math.max(0, delay.max / 1e6 - delayResolutionMs),
      },
      errors,
    };
  } finally {
    for (const driver of ours) {
      driver.close();
      drivers.delete(driver);
    }
    requestAgent.destroy();
    streamAgent.destroy();
    if (platform) {
      log('stopping the platform');
      await platform
        .ask({ type: 'forget', interviewIds: interviews.map((i) => i.id) })
        .catch(() => undefined);
      await platform.server.stop();
      log('stopped');
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

// --- Report -------------------------------------------------------------------------------------------

const mib = (bytes: number): string => fixed(bytes / 2 ** 20, 1);

/** Ms from each answer to `at`; Infinity where it never came (the reply timed out or lacked it). */
function sortedMs(answers: ReplyTiming[], at: (answer: ReplyTiming) => number | null): Float64Array {
  return Float64Array.from(answers, (answer) => {
    const time = at(answer);
    return time === null ? Number.POSITIVE_INFINITY : time - answer.sentAt;
  }).sort();
}

function redisPerSession(level: Level): number {
  const { heapBefore, heapLive } = level;
  if (heapBefore.redisUsed === null || heapLive.redisUsed === null) return Number.NaN;
  return (heapLive.redisUsed - heapBefore.redisUsed) / level.sessions;
}

function heapPerSession(level: Level): number {
  return (level.heapLive.heapUsed - level.heapBefore.heapUsed) / level.sessions;
}

interface Figures {
  delta: Float64Array;
  audio: Float64Array;
  accepted: Float64Array;
  done: Float64Array;
}

function figuresOf(level: Level): Figures {
  return {
    delta: sortedMs(level.answers, (a) => a.firstDelta),
    audio: sortedMs(level.answers, (a) => a.firstAudio),
    accepted: sortedMs(level.answers, (a) => a.accepted),
    done: sortedMs(level.answers, (a) => a.done),
  };
}

function report(levels: Level[]): string {
  const figures = levels.map(figuresOf);
  const ms = (sorted: Float64Array, p: number): string => shown(percentile(sorted, p));
  const percent = (value: number | undefined): string => (value === undefined ? '-' : value.toFixed(0));
  return [
    table(
      [
        'sessions',
        'sent/s',
        'replied/s',
        'delta p50',
        'delta p95',
        'delta p99',
        'audio p50',
        'audio p95',
        'audio p99',
        'heap/session KiB',
        'errors',
      ],
      levels.map((level, i) => {
        const f = figures[i]!;
        return [
          String(level.sessions),
          fixed(level.answers.length / level.windowSeconds, 1),
          fixed(level.completed / level.windowSeconds, 1),
          ms(f.delta, 50),
          ms(f.delta, 95),
          ms(f.delta, 99),
          ms(f.audio, 50),
          ms(f.audio, 95),
          ms(f.audio, 99),
          fixed(heapPerSession(level) / 1024, 1),
          String(level.errors.total),
        ];
      }),
    ),
    '',
    'sent/s: answers sent (and taken) in the measured window; replied/s: replies that finished in it.',
    'delta, audio: ms from sending POST /v1/session/answers to the first interviewer.delta, and to the first',
    "interviewer.audio, of the reply on that interview's event stream (nearest rank, over every answer sent in",
    `the window; "timeout": the reply had not come ${settings.replyTimeoutSeconds} s later). heap/session: heap after a full GC with every`,
    'session connected and idle, less the heap after a full GC before any connected, divided by the',
    'sessions. errors: every phase, not only the window.',
    '',
    table(
      [
        'sessions',
        'answers',
        '202 p50',
        '202 p95',
        '202 p99',
        'done p50',
        'done p95',
        'heap before MiB',
        'heap live MiB',
        'peak heap MiB',
        'peak RSS MiB',
        'Redis/session KiB',
      ],
      levels.map((level, i) => {
        const f = figures[i]!;
        return [
          String(level.sessions),
          String(level.answers.length),
          ms(f.accepted, 50),
          ms(f.accepted, 95),
          ms(f.accepted, 99),
          ms(f.done, 50),
          ms(f.done, 95),
          mib(level.heapBefore.heapUsed),
          mib(level.heapLive.heapUsed),
          mib(level.peak.heapUsed),
          mib(level.peak.rss),
          fixed(redisPerSession(level) / 1024, 1),
        ];
      }),
    ),
    '',
    '202: ms until the answer POST was answered. done: until interviewer.done (the whole reply, spoken).',
    'peak: the largest heap and RSS sampled every 2 s while measuring, without forcing a GC. Redis/session:',
    "growth of Redis's used_memory over the same span as heap/session (the interviews' event streams).",
    '',
    table(
      [
        'sessions',
        'platform CPU ms/reply',
        'Redis CPU ms/reply',
        'XREAD/s',
        'µs/XREAD',
        'busy %',
        'others %',
        'steal %',
        'client delay p99 ms',
        'client delay max ms',
      ],
      levels.map((level) => [
        String(level.sessions),
        level.cpu && level.completed > 0 ? fixed(level.cpu.serverMs / level.completed, 1) : '-',
        level.completed > 0 ? fixed(level.redis.cpuMs / level.completed, 1) : '-',
        fixed(level.redis.xreadCalls / level.windowSeconds, 0),
        level.redis.xreadCalls > 0 ? fixed(level.redis.xreadUsec / level.redis.xreadCalls, 0) : '-',
        percent(level.cpu?.machineBusy),
        percent(level.cpu?.others),
        percent(level.cpu?.steal),
        fixed(level.clientDelay.p99, 1),
        fixed(level.clientDelay.max, 1),
      ]),
    ),
    '',
    'platform CPU ms/reply: CPU time of the platform process in the window per reply finished in it. Redis:',
    "its own CPU per reply, and how often and how long it ran XREAD (the platform's shared read of every live",
    "interview's event stream; Redis's counters include other clients). busy %: the whole machine (all",
    'cores); others %: processes other than this one, the platform, the fake provider,',
    'PostgreSQL and Redis; steal %: time the hypervisor gave to other machines (from /proc, Linux only).',
    "client delay: how late this process's event loop ran a 10 ms timer in the window (the times above",
    'include such delays).',
  ].join('\n');
}

/** A latency in ms; `timeout` when the reply never came. */
function shown(value: number): string {
  return value === Number.POSITIVE_INFINITY ? 'timeout' : fixed(value, 1);
}

function verdict(levels: Level[]): string[] {
  const level = levels.find((l) => l.sessions === target.sessions);
  if (!level) return [`Targets apply at ${target.sessions} sessions, which this run did not measure.`];
  const f = figuresOf(level);
  const delta = percentile(f.delta, 95);
  const audio = percentile(f.audio, 95);
  const heap = heapPerSession(level);
  const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  return [
    `Targets at ${target.sessions} sessions:`,
    `  p95 to first delta under ${target.p95Ms} ms: ${shown(delta)} ms, ${mark(delta < target.p95Ms)}`,
    `  p95 to first audio under ${target.p95Ms} ms: ${shown(audio)} ms, ${mark(audio < target.p95Ms)}`,
    `  no errors: ${level.errors.total}, ${mark(level.errors.total === 0)}`,
    `  heap per session under 1 MiB: ${fixed(heap / 1024, 1)} KiB, ${mark(heap < target.heapPerSessionBytes)}`,
  ];
}

// --- Main ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  console.log((await describeMachine()).join('\n'));
  console.log('');
  const database = `viva_bench_${randomBytes(6).toString('hex')}`;
  let databaseCreated = false;
  let provider: ServerProcess | null = null;
  const levels: Level[] = [];
  try {
    await withAdmin((client) => client.query(`create database ${database}`));
    databaseCreated = true;
    provider = await spawnServer('fake-provider', here('./fake-provider.ts'), {
      PATH: process.env.PATH ?? '',
    });
    for (const sessions of settings.levels) {
      levels.push(await runLevel(sessions, database, provider));
      throwIfInterrupted();
    }
  } finally {
    await provider?.stop();
    if (databaseCreated) {
      await withAdmin((client) => client.query(`drop database if exists ${database} with (force)`));
    }
  }

  console.log(report(levels));
  console.log('');
  console.log(verdict(levels).join('\n'));
  const disturbed = levels.filter((l) => (l.cpu?.others ?? 0) + (l.cpu?.steal ?? 0) > 5);
  if (disturbed.length > 0) {
    console.log(
      `Warning: other processes or machines took over 5 % of the CPU at ${disturbed.map((l) => l.sessions).join(', ')} sessions; rerun on a quiet machine.`,
    );
  }
  const failed = levels.filter((l) => l.errors.total > 0);
  for (const level of failed) {
    for (const [kind, { count, example }] of level.errors.byKind) {
      console.error(`FAIL ${level.sessions} sessions: ${count} × ${kind} (e.g. ${example})`);
    }
  }
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
      console.error('Interrupted: servers stopped, bench database dropped.');
      process.exitCode = 130;
      return;
    }
    console.error(error);
    process.exitCode = 1;
  },
);
