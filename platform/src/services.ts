import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { KeyChanges } from './api-keys/key-changes.ts';
import type { SecretKeys } from './api-keys/secret-keys.ts';
import type { BlobStore } from './blobs/blob-store.ts';
import type { LocalBlobStore } from './blobs/local-blob-store.ts';
import type { Config } from './config/config.ts';
import type { Database } from './db/orm.ts';
import type { InterviewEngine } from './engine/engine.ts';
import type { RateLimiter } from './http/rate-limit.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Providers } from './providers/providers.ts';
import type { SessionEventBus } from './sessions/session-events.ts';
import type { SigningKeys } from './sessions/signing-keys.ts';
import type { StreamLimit } from './sessions/stream-limit.ts';

/** The infrastructure, built once at boot and handed to handlers; each piece has a real and an in-process form. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Database;
  /** Session events, key-change announcements and readiness; it waits out a short outage. */
  redis: Redis | null;
  /**
   * The connection requests ask (key-change marks, rate limits), beside `redis`: it fails a command at once
   * while Redis is out of reach, and after 300 ms unanswered, so requests go by their fallbacks instead.
   */
  requestRedis: Redis | null;
  blobs: BlobStore;
  /** Set when blobs live in the data directory and the platform serves their signed URLs itself. */
  localBlobs: LocalBlobStore | null;
  rateLimiter: RateLimiter;
  /** Resolves secret keys to callers, remembering the rows of keys in use. */
  secretKeys: SecretKeys;
  /** Where a change to a key is announced, so no instance goes on trusting the row it remembers. */
  keyChanges: KeyChanges;
  metrics: Metrics;
  providers: Providers;
  /** Signs and verifies session tokens; keys live in the database so every instance shares them. */
  signingKeys: SigningKeys;
  /** The `iss` of session tokens and the base of links: the platform's public URL. */
  issuer: string;
  bus: SessionEventBus;
  engine: InterviewEngine;
  /** The event streams each interview holds open on this instance, and the cap on them. */
  streamLimit: StreamLimit;
}
