import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProviderSettings, parseProviderEnv } from '../providers/provider-config.ts';

/** The widget's script-tag build in this repository: `pnpm --filter @viva/sdk build:cdn` writes it. */
export const defaultSdkDir = fileURLToPath(new URL('../../../sdk/dist/cdn/', import.meta.url));

/** Everything the platform reads from its environment, parsed once at boot. Nothing else reads `process.env`. */
export interface Config {
  port: number;
  host: string;
  /** Where links the platform hands out point (signed blob URLs, the demo page); null: where it listens. */
  publicUrl: string | null;
  dataDir: string;
  /** The `<ai-interview>` script-tag build the platform serves at `/sdk/` and hosts on its join page. */
  sdkDir: string;
  adminKey: string | null;
  databaseUrl: string | null;
  redisUrl: string | null;
  s3: S3Config | null;
  /** Allowed origins for browser calls to the REST API (secret-key calls are server-to-server). */
  corsOrigins: string[];
  rateLimit: { perKey: number; perTenant: number };
  /** Largest JSON body accepted, in bytes. */
  maxJsonBytes: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** LLM, speech-to-text and text-to-speech endpoints; each null when not configured. */
  providers: ProviderSettings;
  /** Most LLM tokens one live interview may spend before the interviewer closes it. */
  interviewTokenBudget: number;
  /**
   * How long an instance may hold an interviewer turn it is generating before another instance may take it
   * over: after a crash mid-turn, the turn is regenerated once this has passed.
   */
  interviewerLeaseSeconds: number;
  /**
   * How long one interviewer turn may take (the model's and speech's requests) before it is given up; by
   * default three quarters of the lease, so no turn is still running when another instance may take it over.
   */
  interviewerTurnSeconds: number;
  /**
   * How long a stopping instance lets the interviewer turns it is generating finish (VIVA_SHUTDOWN_GRACE_SECONDS)
   * before it abandons them to the instance the widget reconnects to; below the orchestrator's own grace period.
   */
  shutdownGraceSeconds: number;
  /**
   * How often a session event stream sends its `: ping` (VIVA_SESSION_HEARTBEAT_SECONDS), below the idle
   * timeout of every proxy on the way; the stream also checks then that its interview has not ended unannounced.
   */
  sessionHeartbeatSeconds: number;
  webhooks: WebhookConfig;
  scoring: ScoringConfig;
  /** Realtime voice over a LiveKit server; null when LIVEKIT_URL and its key and secret are not set. */
  livekit: LiveKitConfig | null;
  /** Where `viva worker` serves `/metrics` and `/healthz` (on `host`); null: it serves nothing. */
  workerMetricsPort: number | null;
}

export interface LiveKitConfig {
  /** The LiveKit server's URL, as the widget and the interviewer agent dial it (`wss://…`). */
  url: string;
  apiKey: string;
  /** Signs the room tokens (HS256); LiveKit wants at least 32 characters. */
  apiSecret: string;
  /** Whether this process runs interviewer agents; off when dedicated `viva worker` processes do. */
  agentWorker: boolean;
  /** Interviewer agents one process runs at once (each is one interview's room). */
  maxAgents: number;
}

export interface ScoringConfig {
  /** Whether this process scores completed interviews; off when dedicated `viva worker` processes do. */
  worker: boolean;
  /** Scoring calls to the LLM provider one process has in flight at once (a provider's rate limit). */
  concurrency: number;
  /** Attempts at a scorecard before it is marked failed. */
  maxAttempts: number;
  /** The wait after the first failed attempt; each later wait is four times longer (±20 % jitter). */
  retryBaseMs: number;
  /** How long one scoring call to the provider may take. */
  timeoutSeconds: number;
}

export interface WebhookConfig {
  /** Whether this process delivers webhooks; off when dedicated `viva worker` processes do. */
  worker: boolean;
  /**
   * Lets webhook URLs reach loopback and private networks: on by default only on the embedded default, a
   * single-user local setup whose receivers (the demo ATS's own, the one you test with) live on localhost.
   */
  allowPrivateNetworks: boolean;
  /** How long an endpoint has to answer an attempt (the contract is 15 s; tests lower it). */
  timeoutSeconds: number;
  /** Attempts one worker makes at once. */
  concurrency: number;
}

export interface S3Config {
  endpoint: string | null;
  bucket: string;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

/** A setting that cannot be used: start-up stops with `message`, one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === null) return fallback;
  // Digits only: `Number` would also read `0x1F90`, `1e3` and `4000.0`, none of which an operator means.
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = read(env, name);
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(' or ')}), got "${redactUrl(raw)}"`);
  }
  if (!protocols.includes(parsed.protocol.slice(0, -1))) {
    throw new ConfigError(
      `${name} must use ${protocols.join(' or ')}, got "${parsed.protocol.slice(0, -1)}"`,
    );
  }
  return raw;
}

/**
 * The platform's own address: the issuer of its session tokens and the base of the links it hands out
 * (`join_url`, download links), which append their own path and query to it. A path is kept (a platform
 * behind a proxy under `/viva`); a query or fragment would end up in the middle of every such link.
 */
function publicUrl(env: Env): string | null {
  const raw = url(env, 'VIVA_PUBLIC_URL', ['http', 'https']);
  if (raw === null) return null;
  if (/[?#]/.test(raw)) {
    throw new ConfigError(
      `VIVA_PUBLIC_URL must not have a query or fragment (a path is fine), got "${redactUrl(raw)}"`,
    );
  }
  return raw.replace(/\/$/, '');
}

/**
 * A turn still running when its lease lapses is taken over by another instance and generated twice, so the
 * turn's time limit must end before the lease does.
 */
function interviewerTurnSeconds(env: Env, lease: number): number {
  const turn = integer(env, 'VIVA_INTERVIEWER_TURN_SECONDS', lease * 0.75, 1, 3600);
  if (turn >= lease) {
    throw new ConfigError(
      `VIVA_INTERVIEWER_TURN_SECONDS must be below VIVA_INTERVIEWER_LEASE_SECONDS (${lease}), got "${turn}": a turn still running when its lease lapses is generated twice`,
    );
  }
  return turn;
}

/** Keeps credentials in a URL out of error messages and logs. */
function redactUrl(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === null) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function s3(env: Env): S3Config | null {
  const bucket = read(env, 'S3_BUCKET');
  const endpoint = url(env, 'S3_ENDPOINT', ['http', 'https']);
  if (bucket === null) {
    if (endpoint !== null) throw new ConfigError('S3_BUCKET must be set when S3_ENDPOINT is set');
    return null;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(
      `S3_BUCKET must be a valid bucket name (3-63 lower-case letters, digits, dots, hyphens), got "${bucket}"`,
    );
  }
  const accessKeyId = read(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = read(env, 'S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together');
  }
  return {
    endpoint,
    bucket,
    region: read(env, 'S3_REGION') ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: boolean(env, 'S3_FORCE_PATH_STYLE', endpoint !== null),
  };
}

function livekit(env: Env): LiveKitConfig | null {
  const names = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const;
  const set = names.filter((name) => read(env, name) !== null);
  if (set.length === 0) return null;
  if (set.length < names.length) {
    const missing = names.filter((name) => !set.includes(name));
    throw new ConfigError(
      `${missing.join(' and ')} must be set with ${set.join(' and ')} (all three, or none)`,
    );
  }
  const apiSecret = read(env, 'LIVEKIT_API_SECRET')!;
  if (apiSecret.length < 32) {
    throw new ConfigError('LIVEKIT_API_SECRET must be at least 32 characters long, as LiveKit requires');
  }
  return {
    url: url(env, 'LIVEKIT_URL', ['wss', 'ws', 'https', 'http'])!.replace(/\/$/, ''),
    apiKey: read(env, 'LIVEKIT_API_KEY')!,
    apiSecret,
    agentWorker: boolean(env, 'VIVA_LIVEKIT_AGENT_WORKER', true),
    maxAgents: integer(env, 'VIVA_LIVEKIT_MAX_AGENTS', 20, 1, 1000),
  };
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 4000, 0, 65535);
  const host = read(env, 'HOST') ?? '127.0.0.1';
  const adminKey = read(env, 'VIVA_ADMIN_KEY');
  if (adminKey !== null && adminKey.length < 24) {
    throw new ConfigError('VIVA_ADMIN_KEY must be at least 24 characters long');
  }
  const level = read(env, 'LOG_LEVEL') ?? 'info';
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${level}"`);
  }
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres', 'postgresql']);
  const corsOrigins = (read(env, 'VIVA_CORS_ORIGINS') ?? '*').split(',').map((origin) => origin.trim());
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        `VIVA_CORS_ORIGINS must list origins like https://ats.example.com, got "${origin}"`,
      );
    }
  }
  const lease = integer(env, 'VIVA_INTERVIEWER_LEASE_SECONDS', 60, 1, 3600);
  return {
    port,
    host,
    publicUrl: publicUrl(env),
    // Relative to where the user ran `pnpm start` (pnpm's INIT_CWD), not the package folder pnpm runs in.
    dataDir: resolve(read(env, 'INIT_CWD') ?? process.cwd(), read(env, 'VIVA_DATA_DIR') ?? '.viva'),
    sdkDir: resolve(read(env, 'INIT_CWD') ?? process.cwd(), read(env, 'VIVA_SDK_DIR') ?? defaultSdkDir),
    adminKey,
    databaseUrl,
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']),
    s3: s3(env),
    corsOrigins,
    rateLimit: {
      perKey: integer(env, 'VIVA_RATE_LIMIT_PER_KEY', 100, 1, 1_000_000),
      perTenant: integer(env, 'VIVA_RATE_LIMIT_PER_TENANT', 250, 1, 1_000_000),
    },
    maxJsonBytes: integer(env, 'VIVA_MAX_JSON_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    logLevel: level as Config['logLevel'],
    providers: parseProviderEnv(env),
    interviewTokenBudget: integer(env, 'VIVA_INTERVIEW_TOKEN_BUDGET', 50_000, 1000, 10_000_000),
    interviewerLeaseSeconds: lease,
    interviewerTurnSeconds: interviewerTurnSeconds(env, lease),
    shutdownGraceSeconds: integer(env, 'VIVA_SHUTDOWN_GRACE_SECONDS', 20, 0, 3600),
    sessionHeartbeatSeconds: integer(env, 'VIVA_SESSION_HEARTBEAT_SECONDS', 15, 1, 20),
    webhooks: {
      worker: boolean(env, 'VIVA_WEBHOOK_WORKER', true),
      // A server (DATABASE_URL set) must not let tenants make it call internal services; a laptop on the
      // embedded default has no one else's network to protect, and its receivers live on localhost.
      allowPrivateNetworks: boolean(env, 'VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS', databaseUrl === null),
      timeoutSeconds: integer(env, 'VIVA_WEBHOOK_TIMEOUT_SECONDS', 15, 1, 60),
      concurrency: integer(env, 'VIVA_WEBHOOK_CONCURRENCY', 64, 1, 1024),
    },
    scoring: {
      worker: boolean(env, 'VIVA_SCORING_WORKER', true),
      concurrency: integer(env, 'VIVA_SCORING_CONCURRENCY', 8, 1, 1024),
      maxAttempts: integer(env, 'VIVA_SCORING_MAX_ATTEMPTS', 4, 1, 20),
      retryBaseMs: integer(env, 'VIVA_SCORING_RETRY_BASE_MS', 30_000, 0, 3_600_000),
      timeoutSeconds: integer(env, 'VIVA_SCORING_TIMEOUT_SECONDS', 60, 1, 600),
    },
    livekit: livekit(env),
    workerMetricsPort:
      read(env, 'VIVA_WORKER_METRICS_PORT') === null
        ? null
        : integer(env, 'VIVA_WORKER_METRICS_PORT', 0, 0, 65535),
  };
}
