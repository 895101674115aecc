import { defineConfig } from 'tsup';

/**
 * The npm build: ES modules with type declarations, one entry per public import path. Dependencies (lit,
 * @microsoft/fetch-event-source) stay imports, so an app that already has Lit loads it once.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'ai-interview': 'src/ai-interview.ts',
    client: 'src/client.ts',
  },
  outDir: 'dist/npm',
  format: ['esm'],
  target: 'es2022',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
});
