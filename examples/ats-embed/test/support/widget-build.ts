import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultSdkDir } from '@viva/platform/src/config/config.ts';

/**
 * The widget's script-tag build (`sdk/dist/cdn/`), which the platform serves at `/sdk/`. `pnpm test` builds
 * it in the sdk package, but this package does not depend on the sdk, so it may run first: build it then.
 */
export async function ensureWidgetBuilt(): Promise<string> {
  const entry = join(defaultSdkDir, 'ai-interview.js');
  if (await stat(entry).catch(() => null)) return defaultSdkDir;
  // pnpm sets npm_execpath to itself when it runs a script; a plain `pnpm` on PATH otherwise.
  const pnpm = process.env.npm_execpath ?? 'pnpm';
  const [command, args] = /\.[cm]?js$/.test(pnpm)
    ? [process.execPath, [pnpm, '--filter', '@viva/sdk', 'build:cdn']]
    : [pnpm, ['--filter', '@viva/sdk', 'build:cdn']];
  try {
    await promisify(execFile)(command, args, { cwd: join(defaultSdkDir, '..', '..') });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `The <ai-interview> widget is not built and building it failed: run pnpm --filter @viva/sdk build:cdn\n${stdout ?? ''}${stderr ?? String(error)}`,
    );
  }
  if (!(await stat(entry).catch(() => null))) throw new Error(`The widget build did not write ${entry}.`);
  return defaultSdkDir;
}
