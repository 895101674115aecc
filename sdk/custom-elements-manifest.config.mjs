/** `pnpm --filter @viva/sdk manifest` writes custom-elements.json from the element's JSDoc: its public API. */
export default {
  // The element's own modules: its helpers (screens, localization, slots) are internal and stay out.
  globs: ['src/element/ai-interview.component.ts', 'src/element/ai-interview.ts', 'src/element/events.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
};
