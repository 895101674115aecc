/**
 * The platform under test, started from source exactly as `pnpm start` would, in its own process. api.ts
 * hands it its whole environment (DATABASE_URL, REDIS_URL, VIVA_*, PORT=0, LOG_LEVEL); it prints
 * `{"url":"http://127.0.0.1:PORT"}` once it serves requests.
 */
import { loadConfig } from '../platform/src/config/config.ts';
import { startPlatform } from '../platform/src/platform.ts';
import { announceAndServe } from './server-process.ts';

const platform = await startPlatform(loadConfig(process.env));
announceAndServe(platform.url, () => platform.close());
