import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The platform starts on the embedded database, migrations and all: seconds on a quiet machine, more on a
    // busy CI runner, which the 10 s default did not allow.
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
