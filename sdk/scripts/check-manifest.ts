/**
 * `pnpm --filter @viva/sdk run manifest:check`: fails when the committed custom-elements.json is not what
 * `pnpm --filter @viva/sdk run manifest` makes of the source today. The manifest is generated from the
 * element's JSDoc and committed for the tools that read it (editors, Storybook, docs); a stale one tells
 * them about an API that no longer exists. It also fails when the parts table of docs/embedding.md and the
 * element's `@csspart`s name different parts. The test script runs this first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { cli } from '@custom-elements-manifest/analyzer/cli.js';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const committedPath = join(sdkDir, 'custom-elements.json');
const guidePath = join(sdkDir, '..', 'docs', 'embedding.md');

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

/** The parts the guide's "### Parts" table lists: the first cell of each row, a name in backticks. */
function documentedParts(markdown: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === '### Parts');
  if (start === -1) throw new Error(`${guidePath} has no "### Parts" section.`);
  const parts: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    const name = /^\|\s*`([\w-]+)`\s*\|/.exec(line)?.[1];
    if (name) parts.push(name);
  }
  if (parts.length === 0) throw new Error(`The "### Parts" section of ${guidePath} has no table of parts.`);
  return parts;
}

/** The `cssParts` of every custom element in a manifest. */
function manifestParts(manifest: unknown): string[] {
  const modules = (manifest as { modules?: { declarations?: { cssParts?: { name: string }[] }[] }[] })
    .modules;
  return (modules ?? []).flatMap((module) =>
    (module.declarations ?? []).flatMap((declaration) =>
      (declaration.cssParts ?? []).map((part) => part.name),
    ),
  );
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

// Parts are styled by name from the host page: one the guide lists but the element lacks does nothing, and
// one the element has but the guide leaves out is one nobody knows to style.
const documented = new Set(documentedParts(readFileSync(guidePath, 'utf8')));
const declared = new Set(manifestParts(fresh));
const undeclared = [...documented].filter((name) => !declared.has(name));
const undocumented = [...declared].filter((name) => !documented.has(name));
if (undeclared.length > 0 || undocumented.length > 0) {
  console.error(
    [
      'The parts of docs/embedding.md ("### Parts") and the element\'s @csspart JSDoc differ.',
      ...undeclared.map((name) => `  ${name}: in the guide's table, no @csspart in the element's JSDoc`),
      ...undocumented.map((name) => `  ${name}: a @csspart of the element, not in the guide's table`),
      'Add the missing @csspart to src/element/ai-interview.component.ts, or the row to the guide.',
    ].join('\n'),
  );
  process.exitCode = 1;
} else {
  console.log(`The ${declared.size} parts of the element and of docs/embedding.md agree.`);
}
