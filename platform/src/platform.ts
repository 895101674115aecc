import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { type KeyChanges, MemoryKeyChanges, RedisKeyChanges } from './api-keys/key-changes.ts';
import { SecretKeys } from './api-keys/secret-keys.ts';
import { createApp } from './app.ts';
import type { BlobStore } from './blobs/blob-store.ts';
import { LocalBlobStore } from './blobs/local-blob-store.ts';
import { S3BlobStore } from './blobs/s3-blob-store.ts';
import { finishBlobErasures } from './candidates/candidates.ts';
import type { Config } from './config/config.ts';
import { databaseError } from './db/database-error.ts';
import { migrate, openDatabase } from './db/orm.ts';
import { DemoAts } from './demo/demo-ats.ts';
import { InterviewEngine } from './engine/engine.ts';
import { startSweeper } from './engine/sweeper.ts';
import { ApiError, problemOf } from './http/api-error.ts';
import { createRateLimiter } from './http/rate-limit.ts';
import { sweepKeys } from './idempotency/idempotency-store.ts';
import { newId } from './ids.ts';
import { LiveKitAgentWorker } from './livekit/agent-worker.ts';
import { liveKitConnectOrigins } from './livekit/page-origins.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { loadSpec } from './openapi/spec.ts';
import { buildProviders } from './providers/provider-config.ts';
import { connectRedis, disconnectRedis, redisConnections } from './redis/redis-connections.ts';
import { ScoringWorker } from './scoring/scoring-worker.ts';
import type { Services } from './services.ts';
import { MemoryEventBus } from './sessions/memory-event-bus.ts';
import { RedisEventBus } from './sessions/redis-event-bus.ts';
import type { SessionEventBus } from './sessions/session-events.ts';
import { SigningKeys } from './sessions/signing-keys.ts';
import { StreamLimit } from './sessions/stream-limit.ts';
import { reasonOf, StartupError } from './startup-error.ts';
import { type DemoTenant, ensureDemoTenant } from './tenants/demo-tenant.ts';
import { DeliveryWorker } from './webhooks/delivery-worker.ts';

export interface RunningPlatform {
  services: Services;
  server: Server;
  /** Where it listens, e.g. http://127.0.0.1:4000. */
  url: string;
  /** The demo tenant, when this platform serves the demo ATS (`StartOptions.demo`). */
  demo: DemoTenant | null;
  close(): Promise<void>;
}

/** A secret that survives restarts of the embedded default, so signed links stay valid across them. */
function localSigningSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'blob-signing.key');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch {
    const secret = randomBytes(32);
    writeFileSync(file, secret.toString('base64'), { mode: 0o600 });
    return secret;
  }
}

export interface StartOptions {
  /** Where logs go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
  /**
   * Serve the demo ATS at /demo, with the demo tenant it acts for (created on first start, kept in the data
   * directory). `pnpm start` turns it on for the embedded default (no DATABASE_URL); tests, where they need it.
   */
  demo?: boolean;
  /** Where the widget's files (`/sdk/…`) come from, over `config.sdkDir` (`VIVA_SDK_DIR`); tests set it. */
  sdkDir?: string;
}

/** An address this process can reach itself at: a wildcard listening address is dialled on loopback. */
function selfUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::' || host === '[::]') return `http://[::1]:${port}`;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** Where a URL setting points, without its credentials. */
function hostOf(url: string | null): string {
  return url ? new URL(url).host : '';
}

export async function createServices(
  config: Config,
  publicUrl: string,
  options: StartOptions = {},
): Promise<Services> {
  mkdirSync(config.dataDir, { recursive: true });
  const logger = createLogger(config.logLevel, options.logDestination);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger }).catch(
    (error: unknown) => {
      throw databaseError(config, error, true);
    },
  );
  const connections = config.redisUrl ? redisConnections(config.redisUrl, logger) : null;
  const redis = connections?.main ?? null;
  const requestRedis = connections?.requests ?? null;
  try {
    await migrate(db).catch((error: unknown) => {
      throw databaseError(config, error, false);
    });
    if (connections) {
      await connectRedis(connections).catch((error: unknown) => {
        throw new StartupError(
          'REDIS_URL',
          `cannot connect to Redis at ${hostOf(config.redisUrl)}: ${reasonOf(error)}`,
          { cause: error },
        );
      });
    }
    let blobs: BlobStore;
    let localBlobs: LocalBlobStore | null = null;
    if (config.s3) {
      blobs = new S3BlobStore({
        bucket: config.s3.bucket,
        region: config.s3.region,
        forcePathStyle: config.s3.forcePathStyle,
        ...(config.s3.endpoint ? { endpoint: config.s3.endpoint } : {}),
        ...(config.s3.accessKeyId && config.s3.secretAccessKey
          ? { accessKeyId: config.s3.accessKeyId, secretAccessKey: config.s3.secretAccessKey }
          : {}),
      });
    } else {
      localBlobs = new LocalBlobStore({
        dir: join(config.dataDir, 'blobs'),
        publicBaseUrl: publicUrl,
        signingSecret: localSigningSecret(config.dataDir),
      });
      blobs = localBlobs;
    }
    const providers = buildProviders(config.providers, config.scoring);
    const bus: SessionEventBus = redis ? new RedisEventBus(redis) : new MemoryEventBus();
    const keyChanges: KeyChanges = connections
      ? new RedisKeyChanges({ reads: connections.requests, writes: connections.main })
      : new MemoryKeyChanges();
    const engine = new InterviewEngine({
      orm: db.orm,
      bus,
      providers,
      blobs,
      logger,
      tokenBudget: config.interviewTokenBudget,
      leaseSeconds: config.interviewerLeaseSeconds,
      turnSeconds: config.interviewerTurnSeconds,
    });
    return {
      config,
      logger,
      db,
      redis,
      requestRedis,
      blobs,
      localBlobs,
      rateLimiter: createRateLimiter({ ...config.rateLimit, redis: requestRedis }),
      secretKeys: new SecretKeys(db.orm, keyChanges),
      keyChanges,
      metrics: createMetrics({ databasePool: () => db.orm.em.getConnection().getNativeClient() }),
      providers,
      signingKeys: new SigningKeys(db.orm),
      issuer: publicUrl,
      bus,
      engine,
      streamLimit: new StreamLimit(),
    };
  } catch (error) {
    disconnectRedis({ main: redis, requests: requestRedis });
    await db.close();
    throw error;
  }
}

/** `GET /healthz` (or HEAD), whatever its query. */
function isLivenessProbe(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  return (req.url ?? '').split('?', 1)[0] === '/healthz';
}

/**
 * Listens first (alive on `/healthz`, answering everything else 503 while it migrates), then builds the
 * services and the app. Listening first tells us the real address when `config.port` is 0 (tests), which
 * signed links need.
 */
export async function startPlatform(
  baseConfig: Config,
  options: StartOptions = {},
): Promise<RunningPlatform> {
  const config = options.sdkDir ? { ...baseConfig, sdkDir: options.sdkDir } : baseConfig;
  const server = createServer((req, res) => {
    const requestId = newId('request');
    // Alive, not ready: a liveness probe that failed here would restart an instance in the middle of a long
    // migration, or while it waits for another instance's, again and again. Readiness (and all else) waits.
    if (isLivenessProbe(req)) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok' }));
      return;
    }
    res.writeHead(503, {
      'content-type': 'application/problem+json',
      'retry-after': '1',
      'x-request-id': requestId,
    });
    res.end(
      JSON.stringify(
        problemOf(new ApiError('service_unavailable', 'Starting up; retry in a moment.'), requestId),
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `port ${config.port} on ${config.host}`;
      if (error.code === 'EADDRINUSE') {
        reject(
          new StartupError('PORT', `${where} is already in use: stop what uses it, or set PORT`, {
            cause: error,
          }),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new StartupError('PORT', `${where} needs privileges this process lacks: set PORT above 1023`, {
            cause: error,
          }),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
        reject(
          new StartupError('HOST', `cannot listen on ${config.host}: no such address here`, { cause: error }),
        );
      } else {
        reject(error);
      }
    });
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  let services: Services;
  try {
    services = await createServices(config, config.publicUrl ?? url, options);
  } catch (error) {
    server.close();
    throw error;
  }
  let demoTenant: DemoTenant | null = null;
  let demo: DemoAts | null = null;
  try {
    if (options.demo) {
      // With an AI provider configured, the demo interviews in live mode, where the provider is used.
      const live = Boolean(services.providers.chat ?? services.providers.speechToText);
      demoTenant = await ensureDemoTenant(services.db.orm.em.fork(), config.dataDir, { live });
      demo = new DemoAts({
        tenant: demoTenant,
        dataDir: config.dataDir,
        platformUrl: selfUrl(config.host, port),
        logger: services.logger,
        sdkDir: config.sdkDir,
        livemode: live,
        widgetConnectOrigins: liveKitConnectOrigins(config.livekit?.url),
      });
    }
  } catch (error) {
    server.close();
    disconnectRedis({ main: services.redis, requests: services.requestRedis });
    await services.db.close();
    throw error;
  }
  const app = createApp(services, loadSpec(), demo?.routers() ?? []);
  server.removeAllListeners('request');
  server.on('request', app.callback());
  // Through the REST API, like everything the demo does, so only once the app answers.
  await demo?.connectWebhooks();
  const stopSweeper = startSweeper(() => services.engine.sweep(), services.logger);
  const webhookWorker = config.webhooks.worker
    ? new DeliveryWorker({
        orm: services.db.orm,
        logger: services.logger,
        config: config.webhooks,
        metrics: services.metrics,
      })
    : null;
  webhookWorker?.start();
  const scoringWorker = config.scoring.worker
    ? new ScoringWorker({
        orm: services.db.orm,
        logger: services.logger,
        config: config.scoring,
        model: services.providers.scoring,
        metrics: services.metrics,
      })
    : null;
  scoringWorker?.start();
  const liveKitAgents =
    config.livekit?.agentWorker === true
      ? new LiveKitAgentWorker({
          orm: services.db.orm,
          logger: services.logger,
          config: config.livekit,
          engine: services.engine,
          bus: services.bus,
          providers: services.providers,
        })
      : null;
  liveKitAgents?.start();
  const housekeeping = () => {
    sweepKeys(services.db.orm.em.fork()).catch((err: unknown) =>
      services.logger.warn({ err }, 'idempotency sweep failed'),
    );
    finishBlobErasures(services.db.orm.em.fork(), services.blobs).catch((err: unknown) =>
      services.logger.warn(
        { err },
        'could not delete the files of erased candidates; the next sweep retries',
      ),
    );
  };
  // Hourly, and a minute after start: a process restarted more often than hourly would otherwise never run it.
  const sweep = setInterval(housekeeping, 60 * 60 * 1000);
  sweep.unref();
  const firstSweep = setTimeout(housekeeping, 60 * 1000);
  firstSweep.unref();
  return {
    services,
    server,
    url,
    demo: demoTenant,
    async close() {
      clearInterval(sweep);
      clearTimeout(firstSweep);
      stopSweeper();
      // Agents leave their rooms first, letting go of their claims so another instance's agents take over.
      await liveKitAgents?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Replies being spoken finish here and reach their streams before the streams end.
      await services.engine.close(config.shutdownGraceSeconds);
      // An event stream lasts as long as its candidate stays, so the server would wait for it forever: ending
      // the bus ends every stream (the widget resumes on another instance with Last-Event-ID), and their
      // connections, idle once the streams have ended, are closed rather than left to the keep-alive timeout.
      await services.bus.close();
      await new Promise<void>((resolve) => setImmediate(resolve));
      server.closeIdleConnections();
      await closed;
      await Promise.all([webhookWorker?.stop(), scoringWorker?.stop()]);
      disconnectRedis({ main: services.redis, requests: services.requestRedis });
      await services.db.close();
    },
  };
}
