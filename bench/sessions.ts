import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { callWithAgent } from './api-call.ts';
import { benchDatabase } from './bench-database.ts';
import {
  defaultPostgresUrl,
  defaultRedisUrl,
  listFrom,
  numberFrom,
  printMachine,
  textFrom,
  wordsFrom,
} from './bench-env.ts';
import { watchCpu } from './cpu-share.ts';
import { inParallel } from './in-parallel.ts';
import { InterviewDriver, type ReplyTiming } from './interview-driver.ts';
import { interrupted, runMain, throwIfInterrupted } from './run-main.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';
import type {
  MemoryReading,
  PlatformCommand,
  PlatformReply,
  PlatformRequest,
  RedisCounters,
} from './sessions-platform.ts';
import { type Errors, type Level, report, verdict } from './sessions-report.ts';

// --- Settings -----------------------------------------------------------------------------------------

const settings = {
  levels: listFrom('BENCH_SESSIONS', [100, 500, 1000], 'whole numbers of sessions, like 100,500'),
  thinkSeconds: numberFrom('BENCH_THINK_SECONDS', 4),
  warmupSeconds: numberFrom('BENCH_WARMUP_SECONDS', 5),
  seconds: numberFrom('BENCH_SECONDS', 20),
  replyTimeoutSeconds: numberFrom('BENCH_REPLY_TIMEOUT_SECONDS', 30),
  postgresUrl: textFrom('BENCH_POSTGRES_URL', defaultPostgresUrl),
  redisUrl: textFrom('BENCH_REDIS_URL', defaultRedisUrl),
  logLevel: textFrom('BENCH_LOG_LEVEL', 'warn'),
  profileDir: textFrom('BENCH_PROFILE_DIR', null),
  nodeArgs: wordsFrom('BENCH_NODE_ARGS'),
};

const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Long enough (12 words or more) to read as a full answer. */
const answerText =
  'At my last company I designed the payments ledger: double-entry accounts in Postgres, idempotent writes keyed by request, and a nightly reconciliation job that caught drift early.';

/** More questions than any interview can reach in one level, so none finishes while it is measured. */
const questions = Array.from({ length: 50 }, (_, i) => ({
  text: `Question ${i + 1}: tell me about a hard technical decision you made, and what you would change now.`,
}));

// --- Platform -----------------------------------------------------------------------------------------

interface Platform {
  server: ServerProcess;
  url: URL;
  ask(command: PlatformCommand): Promise<PlatformReply>;
}

async function startPlatform(databaseUrl: string, dataDir: string, providerUrl: string): Promise<Platform> {
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
      DATABASE_URL: databaseUrl,
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

interface Interview {
  id: string;
  token: string;
}

async function createInterviews(
  platform: Platform,
  agent: http.Agent,
  count: number,
): Promise<{ liveKey: string; interviews: Interview[] }> {
  const api = { agent, url: platform.url };
  const call = <T>(method: string, path: string, key: string, body?: unknown): Promise<T> =>
    callWithAgent<T>(api, method, path, key, body);
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

const delayResolutionMs = 10;
const drivers = new Set<InterviewDriver>();

async function runLevel(sessions: number, databaseUrl: string, provider: ServerProcess): Promise<Level> {
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
    platform = await startPlatform(databaseUrl, dataDir, provider.url);
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
    for (const deadline = Date.now() + 120_000; !interrupted() && Date.now() < deadline; await sleep(100)) {
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

// --- Main ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  await printMachine({
    postgresUrl: settings.postgresUrl,
    redisUrl: settings.redisUrl,
    setup:
      'candidates in this process; the platform and the fake provider each in its own process; all on this machine',
    load: `think ${settings.thinkSeconds} s (±50 %) before each answer; warm-up ${settings.warmupSeconds} s; measured ${settings.seconds} s`,
  });
  const database = benchDatabase(settings.postgresUrl);
  let provider: ServerProcess | null = null;
  const levels: Level[] = [];
  try {
    await database.create();
    provider = await spawnServer('fake-provider', here('./fake-provider.ts'), {
      PATH: process.env.PATH ?? '',
    });
    for (const sessions of settings.levels) {
      levels.push(await runLevel(sessions, database.url, provider));
      throwIfInterrupted();
    }
  } finally {
    await provider?.stop();
    await database.drop();
  }

  console.log(report(levels, settings.replyTimeoutSeconds));
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

runMain(main, {
  interruptedMessage: 'Interrupted: servers stopped, bench database dropped.',
  onInterrupt: () => {
    for (const driver of drivers) driver.close();
  },
});
