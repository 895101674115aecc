/** What scoring.ts measured, as the tables it prints, and the checks that make it exit 1. */
import type { CpuShare } from './cpu-share.ts';
import { fixed, percentile, table } from './report.ts';
import type { ScoringStats } from './scoring-provider.ts';

/** The settings that shape the load, which the report states and checks against. */
export interface Load {
  dimensions: number;
  /** The dimensions' calls and the summary's. */
  callsPerScorecard: number;
  /** How long the fake provider takes to answer each scoring call. */
  delayMs: number;
  /** Interviews ended at once in each burst. */
  burst: number;
}

export interface ScorecardRow {
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

export interface SingleRun {
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

export interface Single {
  concurrency: number;
  warmup: SingleRun;
  runs: SingleRun[];
}

export interface Burst {
  concurrency: number;
  rows: ScorecardRow[];
  stats: ScoringStats;
  /** This process: from the first end call sent to the last answered, ms. */
  endSpread: number;
  /** From just before the end calls until every scorecard settled. */
  cpu: CpuShare | null;
  problems: string[];
}

const seconds = (ms: number, digits = 2): string => fixed(ms / 1000, digits);

function sorted(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function singleReport(single: Single, load: Load): string {
  const latencies = sorted(single.runs.map((r) => r.latency));
  const sequentialMs = load.callsPerScorecard * load.delayMs;
  return [
    `One scorecard at a time (${load.dimensions} dimensions + summary = ${load.callsPerScorecard} calls, each answered after ${seconds(load.delayMs, 1)} s; cap ${single.concurrency}):`,
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

export function burstReport(bursts: Burst[], load: Load): string {
  return [
    `${load.burst} interviews ended at once (${load.burst * load.callsPerScorecard} scoring calls, each answered after ${seconds(load.delayMs, 1)} s):`,
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
        const idealMs = Math.ceil((load.burst * load.callsPerScorecard) / concurrency) * load.delayMs;
        return [
          String(concurrency),
          String(count('completed')),
          String(count('failed')),
          String(load.burst - count('completed') - count('failed')),
          seconds(totalMs, 1),
          seconds(idealMs, 1),
          fixed((count('completed') / totalMs) * 60_000, 1),
          String(stats.maxInFlight),
          String(stats.calls),
          seconds(percentile(latencies, 50), 1),
          seconds(percentile(latencies, 95), 1),
          seconds(latencies.at(-1) ?? Number.NaN, 1),
          seconds(createdSpread, 2),
          burst.cpu ? fixed(burst.cpu.serverMs / load.burst, 1) : '-',
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

export function failures(single: Single | null, bursts: Burst[], load: Load): string[] {
  const out: string[] = [];
  if (single) {
    for (const [i, run] of [single.warmup, ...single.runs].entries()) {
      const label = i === 0 ? 'single warm-up' : `single run ${i}`;
      if (run.problem) out.push(`${label}: ${run.problem}`);
      if (run.reasks > 0) out.push(`${label}: ${run.reasks} re-asks`);
      if (run.calls !== load.callsPerScorecard)
        out.push(`${label}: ${run.calls} calls, not ${load.callsPerScorecard}`);
      if (run.maxInFlight > single.concurrency)
        out.push(`${label}: ${run.maxInFlight} calls in flight, over the cap of ${single.concurrency}`);
    }
  }
  for (const burst of bursts) {
    const label = `burst cap ${burst.concurrency}`;
    const bad = burst.rows.filter((row) => row.status !== 'completed');
    if (burst.rows.length !== load.burst)
      out.push(`${label}: ${burst.rows.length} scorecards for ${load.burst} interviews`);
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
