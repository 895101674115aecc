import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** Runs `run` on one short-lived connection to `url` (the bench's admin database). */
export async function withPostgres<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** The URL of `database` on the server `adminUrl` points at. */
export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

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
