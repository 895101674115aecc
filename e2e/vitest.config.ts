import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A spoken interview in a real browser takes a while, and longer on a busy machine: no timing asserts.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // The platform's test harness: PostgreSQL (a fresh database), Redis and s3rver, never the embedded default.
    env: { VIVA_TEST_BACKEND: 'postgres' },
  },
});
