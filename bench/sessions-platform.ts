/**
 * The platform under test for the sessions benchmark: platform-server.ts plus a message channel to
 * sessions.ts (spawnServer with `ipc`), which asks it, between measurements, for its memory and to forget
 * the Redis streams of the interviews it ran. Run with `--expose-gc`, so a memory reading can count only
 * what is still reachable rather than whatever garbage the last collection left.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../platform/src/config/config.ts';
import { startPlatform } from '../platform/src/platform.ts';
import { announceAndServe } from './server-process.ts';

/** Its memory (after a full GC when `collect`), or to delete the event streams of these interviews. */
export type PlatformCommand =
  | { type: 'memory'; collect: boolean }
  | { type: 'forget'; interviewIds: string[] }
  /** Starts the CPU profiler, or stops it and writes the profile to `file`. */
  | { type: 'profile'; file: string | null }
  /** Redis's own counters: its CPU time, and how often and how long it ran XREAD. */
  | { type: 'redis' };

export type PlatformRequest = PlatformCommand & { id: number };

export interface MemoryReading {
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
  /** Redis's `used_memory`: the event streams of every interview, and anything else in that Redis. */
  redisUsed: number | null;
}

export interface RedisCounters {
  cpuMs: number;
  xreadCalls: number;
  xreadUsec: number;
}

export type PlatformReply = { id: number; memory?: MemoryReading; redis?: RedisCounters; error?: string };

/** Where RedisEventBus keeps an interview's session events (its default `keyPrefix`). */
const sessionStreamPrefix = 'viva:session:';

const platform = await startPlatform(loadConfig(process.env));

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the platform with --expose-gc to read its live heap');
  // Twice, a turn of the event loop apart: the first run's finalizers may free more for the second.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

async function redisCounters(): Promise<RedisCounters> {
  const redis = platform.services.redis;
  if (!redis) throw new Error('the platform runs without Redis');
  const info = `${await redis.info('cpu')}\n${await redis.info('commandstats')}`;
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  const xread = /^cmdstat_xread:calls=(\d+),usec=(\d+)/m.exec(info);
  return {
    cpuMs: 1000 * (field('used_cpu_user') + field('used_cpu_sys')),
    xreadCalls: Number(xread?.[1] ?? 0),
    xreadUsec: Number(xread?.[2] ?? 0),
  };
}

let profiler: Session | null = null;

async function profile(file: string | null): Promise<void> {
  if (file === null) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return;
  }
  if (!profiler) throw new Error('the profiler was not started');
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = null;
  await writeFile(file, JSON.stringify(profile));
}

async function answer(request: PlatformRequest): Promise<PlatformReply> {
  if (request.type === 'profile') {
    await profile(request.file);
    return { id: request.id };
  }
  if (request.type === 'redis') return { id: request.id, redis: await redisCounters() };
  if (request.type === 'memory') {
    if (request.collect) await collectGarbage();
    const { heapUsed, heapTotal, external, rss } = process.memoryUsage();
    const info = request.collect ? await platform.services.redis?.info('memory') : undefined;
    const redisUsed = info ? Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN) : null;
    return { id: request.id, memory: { heapUsed, heapTotal, external, rss, redisUsed } };
  }
  const redis = platform.services.redis;
  // The streams would otherwise stay in Redis for their 24 hour TTL after the bench has finished.
  for (let at = 0; redis && at < request.interviewIds.length; at += 500) {
    await redis.del(...request.interviewIds.slice(at, at + 500).map((id) => sessionStreamPrefix + id));
  }
  return { id: request.id };
}

process.on('message', (request: PlatformRequest) => {
  answer(request).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});

announceAndServe(platform.url, () => platform.close());
// Should the bench die, a platform still holding a thousand interviews may take long to close: don't linger.
process.stdin.on('end', () => setTimeout(() => process.exit(1), 10_000).unref());
