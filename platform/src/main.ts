import { ConfigError, loadConfig } from './config/config.ts';
import { DataDirInUseError } from './db/embedded-postgres.ts';
import { startPlatform } from './platform.ts';
import { StartupError } from './startup-error.ts';
import {
  type DemoModeAccess,
  type DemoTenant,
  demoTenantFile,
  liveKeyIssuedThisStart,
} from './tenants/demo-tenant.ts';

/** `pnpm start`: the platform, on whatever the environment configures, else on the embedded default. */
async function main(): Promise<void> {
  const config = loadConfig();
  // The demo ATS runs on the embedded default only: a server's tenants are its operator's, not a demo's.
  const platform = await startPlatform(config, { demo: !config.databaseUrl });
  const { services, url, demo } = platform;
  const publicUrl = config.publicUrl ?? url;
  const lines = [
    '',
    `  Viva platform listening on ${url}`,
    `  database: ${services.db.kind === 'embedded' ? `embedded PostgreSQL (PGlite) in ${config.dataDir}` : 'PostgreSQL'}`,
    `  redis:    ${services.redis ? 'connected' : 'in-process (REDIS_URL not set)'}`,
    `  blobs:    ${services.localBlobs ? `local folder in ${config.dataDir}/blobs` : `S3 bucket ${config.s3?.bucket}`}`,
    `  API reference: ${publicUrl}/docs`,
  ];
  if (demo) {
    lines.push(
      `  demo tenant ${demo.tenantId}, test key: ${demo.test.key}`,
      ...(demo.live ? liveKeyLines(demo, demo.live, config.dataDir) : []),
      `  try: curl -H "Authorization: Bearer ${demo.test.key}" ${publicUrl}/v1/jobs`,
      `  demo ATS: ${publicUrl}/demo${demo.live ? ' (live mode: the configured AI provider interviews)' : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const stop = async (signal: string) => {
    services.logger.info({ signal }, 'shutting down');
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // The terminal it runs in was closed: stop as cleanly as on Ctrl-C.
  process.once('SIGHUP', () => void stop('SIGHUP'));
}

/**
 * The demo's live key in full on the start that issued it, and only then: a live key spends real money with the
 * AI provider, and a banner printed on every start ends up in scrollback and log collectors. Afterwards the
 * redacted form, as `GET /v1/api_keys` shows it, and where the whole key is kept.
 */
function liveKeyLines(demo: DemoTenant, live: DemoModeAccess, dataDir: string): string[] {
  const where = demoTenantFile(dataDir);
  if (liveKeyIssuedThisStart(demo)) {
    return [
      `  live key (new; the AI provider is configured, live calls cost money): ${live.key}`,
      `    shown on this start only; it is kept in ${where}`,
    ];
  }
  return [`  live key: ${live.key.slice(0, 12)}…${live.key.slice(-4)} (the whole key is in ${where})`];
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`viva: invalid configuration: ${error.message}\n`);
  } else if (error instanceof DataDirInUseError) {
    process.stderr.write(`viva: ${error.message}\n`);
  } else if (error instanceof StartupError) {
    process.stderr.write(`viva: could not start: ${error.message} (check ${error.setting})\n`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(error.cause);
  } else {
    process.stderr.write(
      `viva: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
