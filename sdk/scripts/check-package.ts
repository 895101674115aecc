/**
 * `pnpm --filter @viva/sdk run package:check`, after `build:npm`: the package as `npm i @viva/sdk` would
 * install it. Fails when a path in `exports` has no file behind it, when a built file imports a package the
 * consumer would not have (a workspace package, a devDependency), or when TypeScript cannot type a consumer's
 * imports through the declarations. The test script runs it, so a release can never ship broken types.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')) as {
  name: string;
  private?: boolean;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  files: string[];
};
const problems: string[] = [];

if (manifest.private) problems.push('package.json says "private": true, so it cannot be published');

for (const [subpath, target] of Object.entries(manifest.exports)) {
  const files = typeof target === 'string' ? [target] : Object.values(target);
  for (const file of files) {
    if (!existsSync(join(sdkDir, file))) problems.push(`exports["${subpath}"] → ${file}: no such file`);
  }
}

// Every bare import in the built code and declarations must be a dependency (or a subpath of one).
const npmDir = join(sdkDir, 'dist', 'npm');
const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
for (const file of readdirSync(npmDir).filter((name) => /\.(js|d\.ts)$/.test(name))) {
  const text = readFileSync(join(npmDir, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/^(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^import\s*['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]!);
  for (const specifier of specifiers.filter((s) => !s.startsWith('.'))) {
    const name = packageOf(specifier);
    if (!(name in manifest.dependencies)) {
      problems.push(`dist/npm/${file} imports ${specifier}, which is not among the dependencies`);
    }
  }
}

// A consumer's project, with the package and its dependencies where npm would put them.
const consumer = mkdtempSync(join(tmpdir(), 'viva-sdk-consumer-'));
try {
  const modules = join(consumer, 'node_modules');
  const link = (name: string, target: string) => {
    const at = join(modules, name);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(target, at, 'dir');
  };
  // The package is copied as npm would install it (its `files`), so nothing resolves from the workspace.
  const installed = join(modules, manifest.name);
  for (const file of ['package.json', ...manifest.files]) {
    cpSync(join(sdkDir, file), join(installed, file), { recursive: true });
  }
  for (const name of Object.keys(manifest.dependencies)) link(name, join(sdkDir, 'node_modules', name));
  writeFileSync(
    join(consumer, 'consumer.ts'),
    `import { AiInterview, type InterviewCompletedEvent } from '${manifest.name}';
import '${manifest.name}/ai-interview';
import { InterviewClient, type InterviewState, type Session } from '${manifest.name}/client';

const element: AiInterview = document.createElement('ai-interview');
element.sessionToken = 'token';
element.addEventListener('interview-completed', (event: InterviewCompletedEvent) => {
  const reason: string = event.detail.reason;
  console.log(reason);
});
const client = new InterviewClient({ sessionToken: 'token', apiBase: 'https://viva.example' });
client.addEventListener('state', (event) => {
  const state: InterviewState = event.detail;
  const session: Session | null = state.session;
  console.log(session?.job.title, state.transport);
});
`,
  );
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        lib: ['es2022', 'dom', 'dom.iterable'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
      files: ['consumer.ts'],
    }),
  );
  try {
    execFileSync(join(sdkDir, 'node_modules', '.bin', 'tsc'), ['-p', consumer], { encoding: 'utf8' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    problems.push(`a consumer's TypeScript rejects the declarations:\n${stdout ?? ''}${stderr ?? ''}`);
  }
} finally {
  rmSync(consumer, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`The npm package is not right:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`${manifest.name}: exports, imports and declarations check out for a consumer.`);
