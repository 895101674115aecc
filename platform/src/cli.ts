#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/config.ts';
import { DataDirInUseError } from './db/embedded-postgres.ts';
import { migrate, openDatabase } from './db/orm.ts';
import { ApiError } from './http/api-error.ts';
import { createLogger } from './observability/logger.ts';
import { createValidatorFactory } from './openapi/request-validator.ts';
import { loadSpec, specRoutes } from './openapi/spec.ts';
import { buildProviders } from './providers/provider-config.ts';
import { ScoringWorker } from './scoring/scoring-worker.ts';
import { SigningKeys } from './sessions/signing-keys.ts';
import { createTenant, type TenantUpdate, tenantResource, updateTenant } from './tenants/tenants.ts';
import { DeliveryWorker } from './webhooks/delivery-worker.ts';

const usage = `usage:
  viva migrate                                   apply pending database migrations
  viva tenant create --name NAME [--origin URL]  create a tenant; prints it and its keys as JSON (keys shown once)
  viva tenant update ID [--name NAME] [--origin URL]... [--logo-url URL | --clear-logo]
                                                 change a tenant (--origin replaces the allowed origins)
  viva keys rotate                               start signing session tokens with a new key; old tokens keep working
  viva worker                                    deliver webhooks and score interviews until stopped (SIGTERM or SIGINT);
                                                 run as many as you like`;

async function withDatabase<T>(
  run: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger: createLogger('silent'),
  });
  try {
    await migrate(db);
    return await run(db);
  } finally {
    await db.close();
  }
}

/** The background workers on their own, for operators who scale webhooks and scoring apart from the API. */
async function runWorker(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  await migrate(db);
  const deliveries = new DeliveryWorker({ orm: db.orm, logger, config: config.webhooks });
  const scoring = new ScoringWorker({
    orm: db.orm,
    logger,
    config: config.scoring,
    model: buildProviders(config.providers, config.scoring).scoring,
  });
  deliveries.start();
  scoring.start();
  logger.info(
    { webhook_concurrency: config.webhooks.concurrency, scoring_concurrency: config.scoring.concurrency },
    'worker started',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('worker stopping');
  await Promise.all([deliveries.stop(), scoring.stop()]);
  await db.close();
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === 'keys' && sub === 'rotate') {
    const kid = await withDatabase((db) => new SigningKeys(db.orm).rotate());
    process.stdout.write(`session tokens are now signed with ${kid}\n`);
    return 0;
  }
  if (command === 'worker' && sub === undefined) {
    await runWorker();
    return 0;
  }
  if (command === 'migrate') {
    await withDatabase(async () => undefined);
    process.stdout.write('migrations applied\n');
    return 0;
  }
  if (command === 'tenant' && sub === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, origin: { type: 'string', multiple: true } },
    });
    const input = { name: values.name ?? '', allowed_origins: values.origin ?? [] };
    if (!validAsInSpec('createTenant', {}, input)) return 2;
    const created = await withDatabase((db) => createTenant(db.orm.em.fork(), input));
    process.stdout.write(
      `${JSON.stringify({ tenant: tenantResource(created.tenant), api_keys: created.keys }, null, 2)}\n`,
    );
    return 0;
  }
  if (command === 'tenant' && sub === 'update' && rest[0] && !rest[0].startsWith('-')) {
    const [id, ...flags] = rest;
    const { values } = parseArgs({
      args: flags,
      options: {
        name: { type: 'string' },
        origin: { type: 'string', multiple: true },
        'logo-url': { type: 'string' },
        'clear-logo': { type: 'boolean' },
      },
    });
    const update: TenantUpdate = {
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.origin === undefined ? {} : { allowed_origins: values.origin }),
      ...(values['logo-url'] === undefined ? {} : { logo_url: values['logo-url'] }),
      ...(values['clear-logo'] ? { logo_url: null } : {}),
    };
    if (!validAsInSpec('updateTenant', { id }, update)) return 2;
    const tenant = await withDatabase(async (db) => {
      try {
        return await updateTenant(db.orm.em.fork(), id, update);
      } catch (error) {
        if (error instanceof ApiError) return error;
        throw error;
      }
    });
    if (tenant instanceof ApiError) {
      process.stderr.write(`viva: ${tenant.message}\n`);
      return 2;
    }
    process.stdout.write(`${JSON.stringify(tenantResource(tenant), null, 2)}\n`);
    return 0;
  }
  process.stderr.write(`${usage}\n`);
  return 2;
}

/** The same check the operator API applies, from the same spec: the CLI accepts nothing the API would not. */
function validAsInSpec(operationId: string, params: Record<string, string>, body: unknown): boolean {
  const spec = loadSpec();
  const route = specRoutes(spec).find((r) => r.operation.operationId === operationId)!;
  try {
    createValidatorFactory(spec)(route).validate({ params, query: {}, body });
    return true;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const problems = (error.errors ?? []).map(
      (e) => `${e.pointer.replace(/^\/(body|params)\//, '')} ${e.detail}`,
    );
    process.stderr.write(`viva: ${problems.join('; ') || error.message}\n`);
    return false;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof ConfigError
        ? `invalid configuration: ${error.message}`
        : error instanceof DataDirInUseError
          ? error.message
          : String(error);
    process.stderr.write(`viva: ${message}\n`);
    process.exit(1);
  },
);
