import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** Where the PostgreSQL wire protocol is served (a unix socket directory, as libpq expects). */
  socketDir: string;
  port: number;
  stop(): Promise<void>;
}

const socketPort = 5432;

/**
 * PGlite (PostgreSQL compiled to WASM) kept in `dataDir`, served on a unix socket so that MikroORM's own
 * PostgreSQL driver talks to it: the embedded default runs the very SQL and migrations production runs.
 * PGlite is one session, so the server takes one connection and the pool must hold exactly one.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgDir = join(dataDir, 'postgres');
  mkdirSync(pgDir, { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  const db = await PGlite.create({ dataDir: pgDir }).catch((error: unknown) => {
    releaseLock();
    throw error;
  });
  const socketDir = dataDir;
  const socketPath = join(socketDir, `.s.PGSQL.${socketPort}`);
  // Left by a process that died without stopping (a closed terminal, kill -9): ours now that we hold the
  // lock, and in the way of listening (EADDRINUSE) until removed.
  rmSync(socketPath, { force: true });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
  await server.start();
  return {
    socketDir,
    port: socketPort,
    async stop() {
      await server.stop();
      await db.close();
      releaseLock();
    },
  };
}

/** Thrown when another live process has the embedded database open. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it. A pid file
 * turns that into a clear refusal; a file left by a process that died is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'postgres.pid');
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUseError(
          `the embedded database in ${dataDir} is in use by process ${holder} (a running platform?): stop it, or use the operator API`,
        );
      }
      rmSync(file, { force: true });
    }
  }
}
