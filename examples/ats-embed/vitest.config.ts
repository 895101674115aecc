import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A browser, the platform and a whole interview per test: slow on a busy machine, never stuck.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
