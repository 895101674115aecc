import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { postgresVersion } from './bench-database.ts';

// --- Settings from BENCH_* variables ------------------------------------------------------------------
// Each bench names its variables at its top (the docs send readers there); these only read them. An unset
// or blank variable takes the fallback; a malformed one stops the bench before it starts anything.

export const defaultPostgresUrl = 'postgresql://postgres@127.0.0.1:5432/postgres';
export const defaultRedisUrl = 'redis://127.0.0.1:6379';

/** The variable, trimmed; `fallback` when it is unset or blank. */
export function textFrom<F>(name: string, fallback: F): string | F {
  return process.env[name]?.trim() || fallback;
}

/** The variable's space-separated words (node flags, NAME=value pairs); none when it is unset. */
export function wordsFrom(name: string): string[] {
  return process.env[name]?.split(/\s+/).filter(Boolean) ?? [];
}

/** A positive number, fractions allowed. */
export function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** A whole number of at least `min`. */
export function integerFrom(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

/**
 * Comma-separated whole positive numbers. `described` completes the error's "must list …", so that it says
 * what the bench's numbers count, e.g. `whole numbers of sessions, like 100,500`.
 */
export function listFrom(name: string, fallback: number[], described: string): number[] {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value <= 0))
    throw new Error(`${name} must list ${described}, got "${raw}"`);
  return values;
}

// --- What the figures were measured on ----------------------------------------------------------------

/** The commit the figures come from, and whether `folder` (platform/ unless told) had uncommitted changes. */
export function describeCode(folder = 'platform'): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: fileURLToPath(new URL('.', import.meta.url)),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const dirty = git('status', '--porcelain', '--', `../${folder}`) !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ` + uncommitted changes to ${folder}/` : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export interface RunSetting {
  /** The server the bench makes its databases on: the report gives its version. */
  postgresUrl: string;
  /** Only for benches whose servers use Redis. */
  redisUrl?: string;
  /** Which process runs what. */
  setup: string;
  /** The load the settings make, for benches where they shape it. */
  load?: string;
  /** Said after "1/5/15 min, before the run". */
  loadAverageNote?: string;
}

/** Prints the head of a server bench's report, so that figures from different runs can be told apart. */
export async function printMachine(run: RunSetting): Promise<void> {
  const pgVersion = await postgresVersion(run.postgresUrl);
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  const lines = [
    `date:     ${new Date().toISOString()}`,
    `machine:  ${cpus.length} CPUs × ${cpus[0]?.model ?? 'unknown'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}`,
    `runtime:  Node ${process.version}, PostgreSQL ${pgVersion}${run.redisUrl === undefined ? '' : `, Redis at ${run.redisUrl}`}`,
    `code:     ${describeCode()}`,
    `setup:    ${run.setup}`,
    ...(run.load === undefined ? [] : [`load:     ${run.load}`]),
    `load avg: ${load} (1/5/15 min, before the run${run.loadAverageNote === undefined ? '' : `; ${run.loadAverageNote}`})`,
  ];
  console.log(lines.join('\n'));
  console.log('');
}
