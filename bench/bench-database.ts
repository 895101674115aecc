import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The benches run against a PostgreSQL server they reach through its maintenance database (`adminUrl`), and
 * measure on a fresh database of their own there, dropped afterwards whatever happened.
 */

async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The server's `server_version`, for the report. */
export function postgresVersion(adminUrl: string): Promise<string> {
  return withAdmin(adminUrl, async (client) => {
    const result = await client.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  });
}

export interface BenchDatabase {
  /** `viva_bench_<random>`: leftovers of a bench that was killed are easy to find. */
  name: string;
  url: string;
  create(): Promise<void>;
  /** Drops it, connections and all; does nothing when `create` did not succeed. */
  drop(): Promise<void>;
}

/** A new bench database on the server of `adminUrl`, named but not created yet. */
export function benchDatabase(adminUrl: string): BenchDatabase {
  const name = `viva_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let created = false;
  return {
    name,
    url: url.toString(),
    async create() {
      await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
      created = true;
    },
    async drop() {
      if (!created) return;
      await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
