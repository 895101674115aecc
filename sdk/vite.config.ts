import { defineConfig } from 'vite';

/**
 * The script-tag build: `dist/cdn/ai-interview.js`, one self-contained ES module (Lit included) that
 * registers `<ai-interview>`. Code a session may never need (the LiveKit transport) is split into chunks
 * loaded on demand, beside it.
 */
export default defineConfig({
  build: {
    outDir: 'dist/cdn',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: 'src/cdn.ts',
      formats: ['es'],
      fileName: () => 'ai-interview.js',
    },
    rolldownOptions: {
      output: {
        // The platform's /sdk/ route caches `name-<8 hash characters>.js` forever (a new build, a new name);
        // spelled out here rather than left to the bundler's default.
        chunkFileNames: '[name]-[hash:8].js',
      },
    },
  },
});
