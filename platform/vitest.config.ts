import { defineConfig } from 'vitest/config';

/**
 * The same integration suite twice: against PostgreSQL + Redis + a real S3 API, and on the embedded
 * default (PGlite, in-process limits, local blobs) that `pnpm start` runs with nothing configured.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'postgres', include: ['test/**/*.test.ts'], env: { VIVA_TEST_BACKEND: 'postgres' } },
      },
      {
        extends: true,
        test: {
          name: 'embedded',
          include: ['test/api/**/*.test.ts'],
          env: { VIVA_TEST_BACKEND: 'embedded' },
        },
      },
    ],
  },
});
