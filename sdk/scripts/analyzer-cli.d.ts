// The analyzer ships types for its programmatic `create()` only; this is the part of its CLI module used here.
declare module '@custom-elements-manifest/analyzer/cli.js' {
  /** Runs the CLI on `argv` as `cem` would, and resolves to the manifest (written to disk unless `noWrite`). */
  export function cli(options?: { argv?: string[]; cwd?: string; noWrite?: boolean }): Promise<unknown>;
}
