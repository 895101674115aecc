/** The sessions benchmark's report: what sessions.ts measured at each level, as tables and a verdict. */
import type { CpuShare } from './cpu-share.ts';
import type { ReplyTiming } from './interview-driver.ts';
import { fixed, percent, percentile, table } from './report.ts';
import type { MemoryReading, RedisCounters } from './sessions-platform.ts';

/** The targets, checked at the largest level that ran. */
const target = { sessions: 1000, p95Ms: 50, heapPerSessionBytes: 2 ** 20 };

export interface Errors {
  total: number;
  byKind: Map<string, { count: number; example: string }>;
}

export interface Level {
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

export function report(levels: Level[], replyTimeoutSeconds: number): string {
  const figures = levels.map(figuresOf);
  const ms = (sorted: Float64Array, p: number): string => shown(percentile(sorted, p));
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
    `the window; "timeout": the reply had not come ${replyTimeoutSeconds} s later). heap/session: heap after a full GC with every`,
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

export function verdict(levels: Level[]): string[] {
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
