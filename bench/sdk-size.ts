/**
 * How many bytes a page downloads for `<ai-interview>`, against two voice-agent SDKs a page could embed
 * instead. For each, the files fetched as soon as its entry is imported (the entry and everything it
 * imports statically, through the `import` graph of the emitted files), apart from the chunks fetched
 * only when needed (dynamic `import()`): raw, gzip (zlib level 9) and brotli (quality 11), each file
 * compressed on its own, as a server sends it. Source maps are not counted.
 *
 *   @viva/sdk, as served:  sdk/dist/cdn/ai-interview.js, what `vite build` emits (built first when missing
 *                          or older than sdk/src). The budget applies to this row.
 *   @viva/sdk, esbuild:    sdk/src/cdn.ts through the recipe below, to compare like with like.
 *   @vapi-ai/web, @elevenlabs/client: installed in bench/, bundled with esbuild for the browser, minified,
 *                          ES modules with code splitting, from the import a page writes for a voice call.
 *
 * The budget (from the issue): the script-tag entry and everything it loads statically under 40 KB
 * gzipped. "KB" is read the stricter way, 40,000 bytes; 40 KiB (40,960 bytes) is printed beside it.
 * The command exits 1 only when something cannot be built or read, never over the budget.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import * as esbuild from 'esbuild';
import { describeCode } from './bench-env.ts';
import { table } from './report.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const sdkDir = resolve(benchDir, '../sdk');
const cdnDir = join(sdkDir, 'dist/cdn');
const cdnEntry = join(cdnDir, 'ai-interview.js');

const budget = { bytes: 40_000, kib: 40 * 1024 };

/** Each emitted file's bytes, and the files it imports statically and dynamically (absolute paths). */
interface ModuleGraph {
  files: Map<string, { bytes: Uint8Array; imports: string[]; dynamicImports: string[] }>;
  entry: string;
}

interface Sizes {
  files: number;
  raw: number;
  gzip: number;
  brotli: number;
}

interface Measured {
  name: string;
  built: string;
  entry: Sizes;
  /** Each chunk fetched on demand, with what it needs beyond the entry's files. */
  lazy: Array<{ chunk: string; sizes: Sizes }>;
}

// --- Sizes ------------------------------------------------------------------------------------------------

function sizesOf(files: Uint8Array[]): Sizes {
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  for (const bytes of files) {
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
    brotli += brotliCompressSync(bytes, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length;
  }
  return { files: files.length, raw, gzip, brotli };
}

/** `file` and everything it imports statically, transitively. */
function staticClosure(graph: ModuleGraph, file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    const node = graph.files.get(path);
    if (!node) throw new Error(`${relative(benchDir, path)} is imported but was not emitted`);
    seen.add(path);
    for (const next of node.imports) visit(next);
  };
  visit(file);
  return seen;
}

/** The entry's static closure, and each chunk reachable from it only through `import()`. */
function measure(name: string, built: string, graph: ModuleGraph): Measured {
  const entryFiles = staticClosure(graph, graph.entry);
  const bytesOf = (paths: Iterable<string>) => [...paths].map((path) => graph.files.get(path)!.bytes);
  const lazyChunks: string[] = [];
  const queue = [...entryFiles];
  while (queue.length > 0) {
    const path = queue.shift()!;
    for (const target of graph.files.get(path)!.dynamicImports) {
      if (entryFiles.has(target) || lazyChunks.includes(target)) continue;
      lazyChunks.push(target);
      queue.push(...staticClosure(graph, target));
    }
  }
  return {
    name,
    built,
    entry: sizesOf(bytesOf(entryFiles)),
    lazy: lazyChunks.map((chunk) => ({
      chunk: basename(chunk),
      sizes: sizesOf(bytesOf([...staticClosure(graph, chunk)].filter((path) => !entryFiles.has(path)))),
    })),
  };
}

// --- Import graphs ----------------------------------------------------------------------------------------

/** The `import` graph of emitted ES modules, read with esbuild's parser (each import left external). */
async function graphOfFiles(dir: string, entry: string): Promise<ModuleGraph> {
  const files: ModuleGraph['files'] = new Map();
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.js'))) {
    const path = join(dir, name);
    const imports: string[] = [];
    const dynamicImports: string[] = [];
    await esbuild.build({
      entryPoints: [path],
      bundle: true,
      write: false,
      format: 'esm',
      logLevel: 'error',
      plugins: [
        {
          name: 'record-imports',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (args.kind === 'entry-point') return undefined;
              if (!args.path.startsWith('.')) {
                throw new Error(`${name} imports ${args.path}: the script-tag build must be self-contained`);
              }
              const target = resolve(dirname(path), args.path);
              if (args.kind === 'dynamic-import') dynamicImports.push(target);
              else imports.push(target);
              return { path: args.path, external: true };
            });
          },
        },
      ],
    });
    files.set(path, { bytes: readFileSync(path), imports, dynamicImports });
  }
  return { files, entry };
}

/** `source` (module code, resolved from bench/) bundled the way the comparisons are. */
async function graphOfBundle(name: string, source: string): Promise<ModuleGraph> {
  const outdir = join(os.tmpdir(), 'viva-sdk-size', name);
  const sourcefile = `${name}-entry.ts`;
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: benchDir, loader: 'ts', sourcefile },
    absWorkingDir: benchDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const files: ModuleGraph['files'] = new Map();
  const contents = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
  let entry = '';
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    const path = resolve(benchDir, output);
    if (output.endsWith('.map')) continue;
    // Every chunk split off at an `import()` has an entry point too; the page's is the stdin module.
    if (meta.entryPoint === sourcefile) entry = path;
    files.set(path, {
      bytes: contents.get(path)!,
      imports: meta.imports
        .filter((i) => i.kind === 'import-statement')
        .map((i) => resolve(benchDir, i.path)),
      dynamicImports: meta.imports
        .filter((i) => i.kind === 'dynamic-import')
        .map((i) => resolve(benchDir, i.path)),
    });
  }
  if (!entry) throw new Error(`esbuild emitted no entry for ${name}`);
  return { files, entry };
}

// --- The script-tag build ---------------------------------------------------------------------------------

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds sdk/dist/cdn when it is missing or older than sdk/src, so the figures are of the code here. */
function ensureCdnBuild(): string {
  const inputs = Math.max(newestFile(join(sdkDir, 'src')), statSync(join(sdkDir, 'vite.config.ts')).mtimeMs);
  const reason = !existsSync(cdnEntry)
    ? 'missing'
    : statSync(cdnEntry).mtimeMs < inputs
      ? 'older than sdk/src'
      : '';
  if (!reason) return 'existing build, newer than sdk/src';
  console.log(`sdk/dist/cdn is ${reason}: building it (pnpm --filter @viva/sdk run build:cdn)…`);
  try {
    execFileSync('pnpm', ['--filter', '@viva/sdk', '--silent', 'run', 'build:cdn'], {
      cwd: sdkDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (error) {
    throw new Error(
      `could not build the widget; run \`pnpm --filter @viva/sdk run build:cdn\` and try again (${error})`,
    );
  }
  return 'built by this run';
}

function versionOf(packageDir: string): string {
  return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

// --- Report -----------------------------------------------------------------------------------------------

const count = (n: number): string => n.toLocaleString('en-US');
const kib = (n: number): string => (n / 1024).toFixed(1);

function sizeCells(sizes: Sizes): string[] {
  return [
    String(sizes.files),
    count(sizes.raw),
    count(sizes.gzip),
    kib(sizes.gzip),
    count(sizes.brotli),
    kib(sizes.brotli),
  ];
}

const sizeHeader = ['files', 'raw B', 'gzip B', 'gzip KiB', 'brotli B', 'brotli KiB'];

async function main(): Promise<void> {
  const fresh = ensureCdnBuild();
  const vapi = join(benchDir, 'node_modules/@vapi-ai/web');
  const elevenlabs = join(benchDir, 'node_modules/@elevenlabs/client');
  for (const dir of [vapi, elevenlabs]) {
    if (!existsSync(dir)) throw new Error(`${relative(benchDir, dir)} is not installed: run pnpm install`);
  }

  const measured = [
    measure(
      '@viva/sdk (script-tag build, as served)',
      `vite ${versionOf(join(sdkDir, 'node_modules/vite'))}, ${fresh}`,
      await graphOfFiles(cdnDir, cdnEntry),
    ),
    measure(
      '@viva/sdk (src/cdn.ts, esbuild recipe)',
      `esbuild ${esbuild.version}`,
      await graphOfBundle('viva-sdk', "export * from '../sdk/src/cdn.ts';"),
    ),
    measure(
      `@vapi-ai/web ${versionOf(vapi)}`,
      `esbuild ${esbuild.version}: export { default } from '@vapi-ai/web'`,
      await graphOfBundle('vapi', "export { default } from '@vapi-ai/web';"),
    ),
    measure(
      `@elevenlabs/client ${versionOf(elevenlabs)}`,
      `esbuild ${esbuild.version}: export { Conversation } from '@elevenlabs/client'`,
      await graphOfBundle('elevenlabs', "export { Conversation } from '@elevenlabs/client';"),
    ),
  ];

  const cpus = os.cpus();
  console.log(
    [
      '',
      `code:     ${describeCode('sdk')}`,
      `machine:  ${cpus.length} CPUs × ${cpus[0]?.model ?? 'unknown'}, ${os.type()} ${os.release()}, Node ${process.version}`,
      'recipe:   esbuild bundle, splitting, ESM, platform browser, target es2022, minify, NODE_ENV=production',
      'sizes:    per file, then summed: gzip = zlib level 9, brotli = quality 11 (text mode); no source maps',
    ].join('\n'),
  );

  console.log('\nLoaded at once: the entry and everything it imports statically\n');
  console.log(
    table(
      ['package', 'built with', ...sizeHeader],
      measured.map((m) => [m.name, m.built, ...sizeCells(m.entry)]),
      2,
    ),
  );

  console.log('\nLoaded on demand: each dynamically imported chunk, with what it needs beyond the entry\n');
  const lazyRows = measured.flatMap((m) =>
    m.lazy.length === 0
      ? [[m.name, '(none: everything loads at once)', ...sizeCells({ files: 0, raw: 0, gzip: 0, brotli: 0 })]]
      : m.lazy.map((lazy) => [m.name, lazy.chunk, ...sizeCells(lazy.sizes)]),
  );
  console.log(table(['package', 'chunk', ...sizeHeader], lazyRows, 2));

  const served = measured[0]!.entry.gzip;
  const verdict = served <= budget.bytes ? 'MET' : 'NOT MET';
  console.log(
    [
      '',
      `budget:   the script-tag entry and its static imports under 40 KB gzipped, read as ${count(budget.bytes)} bytes`,
      `          (40 KiB = ${count(budget.kib)} bytes is ${served <= budget.kib ? 'also met' : 'not met either'}).`,
      `verdict:  ${verdict}: ${count(served)} bytes gzipped (${kib(served)} KiB), ` +
        `${served <= budget.bytes ? `${count(budget.bytes - served)} bytes to spare` : `${count(served - budget.bytes)} bytes over`}.`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
