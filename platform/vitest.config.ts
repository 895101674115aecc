import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The same integration suite twice: against PostgreSQL + Redis + a real S3 API, and on the embedded
 * default (PGlite, in-process limits, local blobs) that `pnpm start` runs with nothing configured. The demo
 * ATS runs only on the embedded default (`pnpm start` serves it only without DATABASE_URL), so its tests
 * run there alone.
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
          include: ['test/api/**/*.test.ts', 'test/demo/**/*.test.ts'],
          env: { VIVA_TEST_BACKEND: 'embedded' },
        },
      },
    ],
  },
});
