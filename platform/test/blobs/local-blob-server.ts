import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { blobRoutes } from '../../src/blobs/blob-routes.ts';
import { LocalBlobStore } from '../../src/blobs/local-blob-store.ts';
import { ApiError } from '../../src/http/api-error.ts';

export interface LocalBlobServer {
  store: LocalBlobStore;
  dir: string;
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * A LocalBlobStore in a fresh temporary directory, its signed URLs served by a real Koa app on a free port.
 * The app's own problem+json middleware is not under test here, so a tiny one renders ApiError as JSON.
 */
export async function startLocalBlobServer(): Promise<LocalBlobServer> {
  const dir = await mkdtemp(join(tmpdir(), 'viva-blobs-'));
  // The store must know the URL it signs for, so the port is taken before the app exists.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = new LocalBlobStore({ dir, publicBaseUrl: baseUrl, signingSecret: randomBytes(32) });

  const app = new Koa();
  app.use(async function renderApiError(ctx, next) {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      ctx.status = error.status;
      ctx.body = { code: error.code, detail: error.message };
    }
  });
  app.use(blobRoutes(store).routes());
  server.on('request', app.callback());

  return {
    store,
    dir,
    baseUrl,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
