import { MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
import { entities } from './entities.ts';
import { migrations } from './migrations/index.ts';

export type Orm = MikroORM<PostgreSqlDriver>;

export interface Database {
  orm: Orm;
  /** `postgres` when DATABASE_URL is set, `embedded` for PGlite in the data directory. */
  kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
  logger: Logger;
}

/** How long closing waits for the pool's connections to come back. */
const poolCloseMs = 5_000;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | null = null;
  let connection: Record<string, unknown>;
  if (options.databaseUrl) {
    connection = { clientUrl: options.databaseUrl, pool: { min: 0, max: 10 } };
  } else {
    embedded = await startEmbeddedPostgres(options.dataDir);
    connection = {
      host: embedded.socketDir,
      port: embedded.port,
      user: 'postgres',
      dbName: 'postgres',
      pool: { min: 1, max: 1 },
    };
  }
  try {
    const orm = await MikroORM.init<PostgreSqlDriver>({
      driver: PostgreSqlDriver,
      entities,
      extensions: [Migrator],
      migrations: { migrationsList: migrations, silent: true, snapshot: false, transactional: true },
      // The identity map is per request (`em.fork()`); the global one must never be used by accident.
      allowGlobalContext: false,
      // A database that does not exist is a mistake in DATABASE_URL: created, it would start an empty
      // platform that looks healthy. Databases are made by whoever runs PostgreSQL (or the tests' harness).
      ensureDatabase: false,
      debug: false,
      ...connection,
    });
    try {
      // MikroORM's migrator creates a missing database whatever `ensureDatabase` says, should it be the first
      // to connect: a query here finds the database missing first, in PostgreSQL's own words (3D000,
      // `database "…" does not exist`), and the caller names DATABASE_URL.
      await orm.em.getConnection().execute('select 1');
    } catch (error) {
      await orm.close(true);
      throw error;
    }
    return {
      orm,
      kind: embedded ? 'embedded' : 'postgres',
      async close() {
        // The pool waits for every connection it lent out. One that a bug keeps lent out for good (as
        // kysely's failed ROLLBACK did, see the kysely override in pnpm-workspace.yaml) would keep the
        // process from ever exiting. The rest of shutdown has finished by now, so it waits a while.
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), poolCloseMs);
        });
        const stuck = await Promise.race([orm.close(true).then(() => false), gaveUp]);
        clearTimeout(timer);
        if (stuck) {
          options.logger.warn(
            { waited_ms: poolCloseMs },
            'database pool did not close: a connection lost mid-query was never given back',
          );
        }
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/** Any fixed number: the advisory lock that lets one instance at a time migrate a shared database. */
export const migrationLock = 7_340_201;

/**
 * Applies every pending migration; returns the names applied. MikroORM takes no lock of its own, so on a
 * shared PostgreSQL instances starting together queue on an advisory lock and only the first does the work.
 * (The embedded database belongs to one process, and its pool of one could not hold a lock beside it.)
 */
export async function migrate(db: Database): Promise<string[]> {
  if (db.kind === 'embedded') return names(await db.orm.migrator.up());
  return db.orm.em.fork().transactional(async (tx) => {
    await tx
      .getConnection()
      .execute('select pg_advisory_xact_lock(?)', [migrationLock], 'all', tx.getTransactionContext());
    return names(await db.orm.migrator.up());
  });
}

function names(applied: { name: string }[]): string[] {
  return applied.map((migration) => migration.name);
}
