/** `pnpm --filter @viva/sdk manifest` writes custom-elements.json from the element's JSDoc: its public API. */
export default {
  globs: ['src/element/**/*.ts'],
  exclude: ['src/element/strings/**'],
  outdir: '.',
  litelement: true,
  dependencies: false,
};
