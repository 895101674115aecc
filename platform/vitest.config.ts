import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The integration suite against PostgreSQL + Redis + a real S3 API, and again on the embedded default
 * (PGlite, in-process limits and events, local blobs) that `pnpm start` runs with nothing configured.
 * Only what needs a shared server runs on PostgreSQL alone: several platform processes on one database,
 * tests that set rows up with SQL of their own (test/resilience), and the Redis event bus. The demo ATS
 * runs only on the embedded default (`pnpm start` serves it only without DATABASE_URL), so its tests run
 * there alone.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/demo/**'],
          env: { VIVA_TEST_BACKEND: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          name: 'embedded',
          include: [
            'test/api/**/*.test.ts',
            'test/demo/**/*.test.ts',
            'test/sessions/session-token.test.ts',
            'test/sessions/signing-keys.test.ts',
            'test/scoring/**/*.test.ts',
            'test/widget/**/*.test.ts',
          ],
          env: { VIVA_TEST_BACKEND: 'embedded' },
        },
      },
    ],
  },
});
