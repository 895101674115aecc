import type { Config } from '../config/config.ts';
import { isReachProblem, reasonOf, StartupError } from '../startup-error.ts';
import { DataDirInUseError } from './embedded-postgres.ts';

/**
 * A database that cannot be reached or opened, named by the setting that chose it (the embedded one's
 * folder, else its URL): the platform, `viva worker` and every CLI command that opens the database say it in
 * the same words. Anything else (a failing migration) stays as it is, with its stack. `opening` is true for
 * a failure to open the database, false for one while using it (migrating).
 */
export function databaseError(
  config: Pick<Config, 'databaseUrl'>,
  error: unknown,
  opening: boolean,
): unknown {
  // The embedded database held by another process says so itself, in its own words.
  if (error instanceof DataDirInUseError) return error;
  if (!config.databaseUrl) {
    if (!opening) return error;
    return new StartupError('VIVA_DATA_DIR', `cannot open the embedded database: ${reasonOf(error)}`, {
      cause: error,
    });
  }
  if (!isReachProblem(error)) return error;
  // Where it points, without its credentials.
  const host = new URL(config.databaseUrl).host;
  return new StartupError(
    'DATABASE_URL',
    `cannot use the PostgreSQL database at ${host}: ${reasonOf(error)}`,
    {
      cause: error,
    },
  );
}
