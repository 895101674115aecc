import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A whole interview in a real browser takes a while, and longer on a busy machine: no timing asserts.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'full-stack',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/demo-ats.test.ts'],
          // The platform's test harness: PostgreSQL (a fresh database), Redis and s3rver, never the embedded default.
          env: { VIVA_TEST_BACKEND: 'postgres' },
        },
      },
      {
        extends: true,
        test: {
          // The demo ATS, which `pnpm start` serves on the embedded default only: no PostgreSQL, Redis or S3.
          name: 'embedded',
          include: ['test/demo-ats.test.ts'],
        },
      },
    ],
  },
});
