import { defineConfig } from 'tsup';

/**
 * The npm build: ES modules with type declarations, one entry per public import path. Dependencies (lit,
 * @microsoft/fetch-event-source, livekit-client) stay imports, so an app that already has Lit loads it once;
 * livekit-client is imported only by the LiveKit chunk, loaded when a session offers LiveKit.
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
  // The session types come from the private @viva/openapi workspace package: inlined, so the published
  // declarations need nothing a consumer cannot install.
  dts: {
    resolve: [/^@viva\/openapi/],
    compilerOptions: { paths: { '@viva/openapi/types': ['../openapi/generated/types.ts'] } },
  },
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
});
