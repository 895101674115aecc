import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { call } from './api-call.ts';
import { benchDatabase } from './bench-database.ts';
import {
  defaultPostgresUrl,
  defaultRedisUrl,
  numberFrom,
  printMachine,
  textFrom,
  wordsFrom,
} from './bench-env.ts';
import { type CpuShare, watchCpu } from './cpu-share.ts';
import { pacedLoad } from './paced-load.ts';
import { percent, percentile, table } from './report.ts';
import { runMain, throwIfInterrupted } from './run-main.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';

// --- Settings -----------------------------------------------------------------------------------------

const settings = {
  postgresUrl: textFrom('BENCH_POSTGRES_URL', defaultPostgresUrl),
  redisUrl: textFrom('BENCH_REDIS_URL', defaultRedisUrl),
  connections: numberFrom('BENCH_CONNECTIONS', 20),
  getRate: numberFrom('BENCH_GET_RATE', 500),
  postRate: numberFrom('BENCH_POST_RATE', 200),
  ratedSeconds: numberFrom('BENCH_RATED_SECONDS', 15),
  seconds: numberFrom('BENCH_SECONDS', 10),
  warmupSeconds: numberFrom('BENCH_WARMUP_SECONDS', 2),
  only: process.env.BENCH_ONLY?.split(',')
    .map((id) => id.trim())
    .filter(Boolean),
  nodeArgs: wordsFrom('BENCH_NODE_ARGS'),
};

const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

// --- API set-up ---------------------------------------------------------------------------------------

interface Fixtures {
  testKey: string;
  interviewId: string;
}

async function createFixtures(base: string): Promise<Fixtures> {
  const created = await call<{ api_keys: { test: string } }>(base, 'POST', '/admin/v1/tenants', adminKey, {
    name: 'Bench ATS',
  });
  const key = created.api_keys.test;
  const job = await call<{ id: string }>(base, 'POST', '/v1/jobs', key, {
    title: 'Senior Backend Engineer',
    questions: [
      { text: 'Walk me through a production incident you led.' },
      { text: 'How would you design an idempotent payment-capture endpoint?' },
    ],
  });
  const candidate = await call<{ id: string }>(base, 'POST', '/v1/candidates', key, {
    name: 'Ada Lovelace',
    email: 'ada@example.com',
  });
  const interview = await call<{ id: string }>(base, 'POST', '/v1/interviews', key, {
    job_id: job.id,
    candidate_id: candidate.id,
  });
  await call(base, 'GET', `/v1/interviews/${interview.id}`, key);
  return { testKey: key, interviewId: interview.id };
}

// --- Load ---------------------------------------------------------------------------------------------

interface Scenario {
  id: string;
  label: string;
  target: 'bare' | 'platform';
  method: 'GET' | 'POST';
  path: string;
  /** Fixed overall rate in req/s; undefined: as fast as the server answers. */
  rate?: number;
  /**
   * How a fixed rate is sent: `autocannon` (each connection's share of a second, back to back as the second
   * begins) or `paced` (evenly spaced, open model; see paced-load.ts).
   */
  pacing?: 'autocannon' | 'paced';
  seconds: number;
  headers?: Record<string, string>;
  body?: string;
}

interface Outcome {
  scenario: Scenario;
  /** Responses per second over the run. */
  reqPerSecond: number;
  non2xx: number;
  errors: number;
  /** Why requests failed, for the failure message. */
  failures: string;
  /** autocannon's own histogram (whole ms, 2xx only), for comparison; null for paced runs. */
  autocannonLatency: { p50: number; p90: number; p97_5: number; p99: number } | null;
  /** Every response's time in ms, sorted. */
  times: Float64Array;
  /** CPU used outside the benchmark while it ran (null off Linux). */
  cpu: CpuShare | null;
}

let current: autocannon.Instance | null = null;
/** This process and the servers under test: theirs is the CPU the benchmark itself uses. */
const benchPids: number[] = [process.pid];

async function fire(url: string, scenario: Scenario, seconds: number): Promise<Outcome> {
  if (scenario.pacing === 'paced' && scenario.rate !== undefined) {
    const paced = await pacedLoad({
      url: `${url}${scenario.path}`,
      method: scenario.method,
      ...(scenario.headers ? { headers: scenario.headers } : {}),
      ...(scenario.body === undefined ? {} : { body: scenario.body }),
      ratePerSecond: scenario.rate,
      seconds,
      connections: settings.connections,
    });
    return {
      scenario,
      reqPerSecond: paced.times.length / paced.elapsedSeconds,
      non2xx: paced.non2xx,
      errors: paced.errors,
      failures: `${paced.non2xx} non-2xx, ${paced.errors} errors of ${paced.sent} sent`,
      autocannonLatency: null,
      times: paced.times,
      cpu: null,
    };
  }
  return fireAutocannon(url, scenario, seconds);
}

function fireAutocannon(url: string, scenario: Scenario, seconds: number): Promise<Outcome> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const options: autocannon.Options = {
      url: `${url}${scenario.path}`,
      method: scenario.method,
      connections: settings.connections,
      duration: seconds,
      ...(scenario.rate === undefined ? {} : { overallRate: scenario.rate }),
      ...(scenario.headers ? { headers: scenario.headers } : {}),
      ...(scenario.body === undefined ? {} : { body: scenario.body }),
    };
    const instance = autocannon(options, (error: unknown, result: autocannon.Result) => {
      current = null;
      if (error) reject(error);
      else
        resolve({
          scenario,
          reqPerSecond: result.requests.average,
          non2xx: result.non2xx,
          errors: result.errors,
          failures: `${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors, ${result.timeouts} timeouts`,
          autocannonLatency: result.latency,
          times: Float64Array.from(times).sort(),
          cpu: null,
        });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
    current = instance;
  });
}

async function measure(url: string, serverPid: number, scenario: Scenario): Promise<Outcome> {
  process.stderr.write(`… ${scenario.id}: warm-up ${settings.warmupSeconds} s, `);
  const warmup = await fire(url, scenario, settings.warmupSeconds);
  if (warmup.non2xx > 0 || warmup.errors > 0) {
    process.stderr.write(`(warm-up: ${warmup.failures}) `);
  }
  throwIfInterrupted();
  process.stderr.write(`measuring ${scenario.seconds} s\n`);
  const cpu = watchCpu(() => benchPids, serverPid);
  const outcome = await fire(url, scenario, scenario.seconds);
  outcome.cpu = cpu.stop();
  throwIfInterrupted();
  return outcome;
}

// --- Report -------------------------------------------------------------------------------------------

const ms = (value: number): string => (Number.isNaN(value) ? '-' : value.toFixed(2));

function report(outcomes: Outcome[]): string {
  const figures = outcomes.map(({ scenario, reqPerSecond, non2xx, errors, times }) => [
    scenario.id,
    scenario.label,
    scenario.rate === undefined ? 'max' : `${scenario.rate}${scenario.pacing === 'paced' ? ' paced' : ''}`,
    reqPerSecond.toFixed(0),
    ms(percentile(times, 50)),
    ms(percentile(times, 95)),
    ms(percentile(times, 99)),
    ms(times.at(-1) ?? Number.NaN),
    String(non2xx),
    String(errors),
  ]);
  const ac = (value: number | undefined): string => (value === undefined ? '-' : String(value));
  const conditions = outcomes.map(({ scenario, autocannonLatency, times, cpu }) => [
    scenario.id,
    scenario.label,
    String(times.length),
    cpu && times.length > 0 ? (cpu.serverMs / times.length).toFixed(3) : '-',
    percent(cpu?.machineBusy),
    percent(cpu?.others),
    percent(cpu?.steal),
    ac(autocannonLatency?.p50),
    ac(autocannonLatency?.p90),
    ac(autocannonLatency?.p97_5),
    ac(autocannonLatency?.p99),
  ]);
  return [
    table(
      ['id', 'scenario', 'rate', 'req/s mean', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors'],
      figures,
      2,
    ),
    '',
    `${settings.connections} connections each. Percentiles: nearest rank over every response's own time;`,
    'for paced runs, from the time each request was due (it includes any wait for a free connection).',
    '',
    table(
      [
        'id',
        'scenario',
        'responses',
        'server CPU ms/req',
        'busy %',
        'others %',
        'steal %',
        'ac p50',
        'ac p90',
        'ac p97.5',
        'ac p99',
      ],
      conditions,
      2,
    ),
    '',
    'server CPU ms/req: CPU time of the server process under test per response. busy %: the whole machine',
    '(all cores); others %: processes other than this one, the servers, PostgreSQL and Redis; steal %: time',
    'the hypervisor gave to other machines (from /proc, Linux only). Others or steal above a few percent skew',
    "the figures. ac: autocannon's own latency histogram, whole ms, 2xx only; at a fixed rate it includes",
    'synthetic samples from its coordinated-omission correction. Paced runs: 500 paced is evenly spaced',
    '(paced-load.ts); 500 alone is autocannon overallRate, bursts at the start of each second.',
  ].join('\n');
}

// --- Main ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  await printMachine({
    postgresUrl: settings.postgresUrl,
    redisUrl: settings.redisUrl,
    setup: 'autocannon in this process; each server in its own process; all on this machine',
    loadAverageNote: 'anything else busy skews the figures',
  });

  const database = benchDatabase(settings.postgresUrl);
  const dataDir = await mkdtemp(join(os.tmpdir(), 'viva-bench-'));
  const servers: ServerProcess[] = [];
  try {
    await database.create();
    const childEnv = { PATH: process.env.PATH ?? '' };
    const bare = await spawnServer('bare-koa', here('./bare-koa.ts'), childEnv);
    servers.push(bare);
    if (bare.child.pid) benchPids.push(bare.child.pid);
    const platform = await spawnServer(
      'platform',
      here('./platform-server.ts'),
      {
        ...childEnv,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'silent',
        VIVA_DATA_DIR: dataDir,
        VIVA_ADMIN_KEY: adminKey,
        DATABASE_URL: database.url,
        REDIS_URL: settings.redisUrl,
        VIVA_RATE_LIMIT_PER_KEY: '1000000',
        VIVA_RATE_LIMIT_PER_TENANT: '1000000',
      },
      { nodeArgs: settings.nodeArgs },
    );
    servers.push(platform);
    if (platform.child.pid) benchPids.push(platform.child.pid);
    const fixtures = await createFixtures(platform.url);

    const auth = { authorization: `Bearer ${fixtures.testKey}` };
    const candidate = JSON.stringify({
      name: 'Grace Hopper',
      email: 'grace@example.com',
      metadata: { source: 'bench' },
    });
    const post = { ...auth, 'content-type': 'application/json' };
    const getPath = `/v1/interviews/${fixtures.interviewId}`;
    const all: Scenario[] = [
      {
        id: 'koa-max',
        label: 'bare Koa GET /',
        target: 'bare',
        method: 'GET',
        path: '/',
        seconds: settings.seconds,
      },
      {
        id: 'get-rate',
        label: 'GET /v1/interviews/{id}',
        target: 'platform',
        method: 'GET',
        path: getPath,
        rate: settings.getRate,
        seconds: settings.ratedSeconds,
        headers: auth,
      },
      {
        id: 'get-paced',
        label: 'GET /v1/interviews/{id}',
        target: 'platform',
        method: 'GET',
        path: getPath,
        rate: settings.getRate,
        pacing: 'paced',
        seconds: settings.ratedSeconds,
        headers: auth,
      },
      {
        id: 'get-max',
        label: 'GET /v1/interviews/{id}',
        target: 'platform',
        method: 'GET',
        path: getPath,
        seconds: settings.seconds,
        headers: auth,
      },
      {
        id: 'post-rate',
        label: 'POST /v1/candidates',
        target: 'platform',
        method: 'POST',
        path: '/v1/candidates',
        rate: settings.postRate,
        seconds: settings.seconds,
        headers: post,
        body: candidate,
      },
      {
        id: 'post-max',
        label: 'POST /v1/candidates',
        target: 'platform',
        method: 'POST',
        path: '/v1/candidates',
        seconds: settings.seconds,
        headers: post,
        body: candidate,
      },
    ];
    const scenarios = settings.only ? all.filter((s) => settings.only!.includes(s.id)) : all;
    if (scenarios.length === 0) throw new Error(`BENCH_ONLY matches no scenario of ${all.map((s) => s.id)}`);

    const outcomes: Outcome[] = [];
    for (const scenario of scenarios) {
      const server = scenario.target === 'bare' ? bare : platform;
      outcomes.push(await measure(server.url, server.child.pid ?? 0, scenario));
    }

    console.log(report(outcomes));
    console.log('');
    const koa = outcomes.find((o) => o.scenario.id === 'koa-max');
    const getMax = outcomes.find((o) => o.scenario.id === 'get-max');
    if (koa && getMax) {
      const share = (100 * getMax.reqPerSecond) / koa.reqPerSecond;
      console.log(
        `Platform GET max throughput vs bare Koa: ${getMax.reqPerSecond.toFixed(0)} / ${koa.reqPerSecond.toFixed(0)} req/s = ${share.toFixed(1)} %`,
      );
    }
    const disturbed = outcomes.filter((o) => (o.cpu?.others ?? 0) + (o.cpu?.steal ?? 0) > 5);
    if (disturbed.length > 0) {
      console.log(
        `Warning: other processes or machines took over 5 % of the CPU during ${disturbed.map((o) => o.scenario.id).join(', ')}; rerun on a quiet machine.`,
      );
    }
    const failed = outcomes.filter((o) => o.non2xx > 0 || o.errors > 0);
    if (failed.length > 0) {
      for (const { scenario, failures } of failed) console.error(`FAIL ${scenario.id}: ${failures}`);
      return 1;
    }
    return 0;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

runMain(main, {
  interruptedMessage: 'Interrupted: servers stopped, bench database dropped.',
  onInterrupt: () => current?.stop(),
});
