/**
 * `pnpm --filter @viva/sdk run manifest:check`: fails when the committed custom-elements.json is not what
 * `pnpm --filter @viva/sdk run manifest` makes of the source today. The manifest is generated from the
 * element's JSDoc and committed for the tools that read it (editors, Storybook, docs); a stale one tells
 * them about an API that no longer exists. The test script runs this first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { cli } from '@custom-elements-manifest/analyzer/cli.js';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const committedPath = join(sdkDir, 'custom-elements.json');

/** Where two JSON values differ, as readable paths; arrays of named things are matched by name. */
function differences(committed: unknown, fresh: unknown, path: string, found: string[]): void {
  if (found.length >= 20 || isDeepStrictEqual(committed, fresh)) return;
  if (Array.isArray(committed) && Array.isArray(fresh)) {
    const key = (item: unknown): string | undefined => {
      const record = item as { name?: unknown; path?: unknown } | null;
      const name = record?.name ?? record?.path;
      return typeof name === 'string' ? name : undefined;
    };
    if ([...committed, ...fresh].every((item) => key(item) !== undefined)) {
      const before = new Map(committed.map((item) => [key(item)!, item]));
      const after = new Map(fresh.map((item) => [key(item)!, item]));
      for (const [name, item] of after) {
        if (!before.has(name)) found.push(`${path}[${name}]: new in the source`);
        else differences(before.get(name), item, `${path}[${name}]`, found);
      }
      for (const name of before.keys()) {
        if (!after.has(name)) found.push(`${path}[${name}]: gone from the source`);
      }
      return;
    }
  }
  if (
    committed &&
    fresh &&
    typeof committed === 'object' &&
    typeof fresh === 'object' &&
    !Array.isArray(fresh)
  ) {
    const before = committed as Record<string, unknown>;
    const after = fresh as Record<string, unknown>;
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      differences(before[name], after[name], `${path}.${name}`, found);
    }
    return;
  }
  found.push(`${path}: ${JSON.stringify(committed) ?? '(none)'} → ${JSON.stringify(fresh) ?? '(none)'}`);
}

// The analyzer records the manifest's path in the package.json of the current directory: make that the SDK's.
process.chdir(sdkDir);
const generated = await cli({
  argv: ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'],
  cwd: sdkDir,
  noWrite: true,
});
// As it would be written: through JSON, which drops the properties left `undefined`.
const fresh: unknown = JSON.parse(JSON.stringify(generated));
const committed: unknown = JSON.parse(readFileSync(committedPath, 'utf8'));

if (isDeepStrictEqual(committed, fresh)) {
  console.log('custom-elements.json is up to date.');
} else {
  const freshPath = join(mkdtempSync(join(tmpdir(), 'viva-manifest-')), 'custom-elements.json');
  writeFileSync(freshPath, `${JSON.stringify(fresh, null, 2)}\n`);
  const found: string[] = [];
  differences(committed, fresh, 'manifest', found);
  console.error(
    [
      'sdk/custom-elements.json is stale: it no longer matches the JSDoc of the source.',
      ...found.map((line) => `  ${line}`),
      `The manifest made from the source now: ${freshPath}`,
      'Regenerate it with `pnpm --filter @viva/sdk run manifest` and commit the result.',
    ].join('\n'),
  );
  process.exitCode = 1;
}
