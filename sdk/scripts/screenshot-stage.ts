/**
 * The stage the screenshots are taken on (`scripts/screenshots.ts`): what an ATS page has around the widget,
 * and the helpers that drive the widget the way a candidate does. Every screen is reached by doing what a
 * candidate does and captured once its `part` is on the page: no fixed sleeps.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@viva/platform/src/config/config.ts';
import { type RunningPlatform, startPlatform } from '@viva/platform/src/platform.ts';
import { type FakeOpenAi, startFakeOpenAi } from '@viva/platform/test/support/fake-openai.ts';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath, ensureAnswerWav } from '../test/support/fake-microphone.ts';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const cdnDir = join(sdkDir, 'dist', 'cdn');
const imagesDir = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const adminKey = 'sdk-screenshots-admin-key-0123456789abcdef';

/** What the fake speech-to-text hears in every spoken answer: twelve words or more, so no follow-up. */
const spokenAnswer =
  'I built a design system with accessible components, visual tests and clear documentation.';
export const typedAnswers = [
  'I rebuilt our date picker so it works with a keyboard and a screen reader, and wrote tests for both.',
  'I run axe in every component test, check focus order by hand, and try each flow with VoiceOver.',
];

// Setup -----------------------------------------------------------------------------------------------------

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** The pictures are of the code here: build the script-tag bundle when it is missing or stale. */
function ensureCdnBuild(): void {
  const entry = join(cdnDir, 'ai-interview.js');
  const inputs = Math.max(newestFile(join(sdkDir, 'src')), statSync(join(sdkDir, 'vite.config.ts')).mtimeMs);
  if (existsSync(entry) && statSync(entry).mtimeMs >= inputs) return;
  console.log('sdk/dist/cdn is missing or older than sdk/src: building it (pnpm run build:cdn)…');
  execFileSync('pnpm', ['--silent', 'run', 'build:cdn'], { cwd: sdkDir, stdio: 'inherit' });
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The host page: any origin of the ATS's, here one of its own, serving the pages registered by path. */
async function startPageServer() {
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const html = pages.get(new URL(req.url ?? '/', 'http://pages').pathname);
    res.writeHead(html ? 200 : 404, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(html ?? 'not found');
  });
  const url = await listen(server);
  return {
    url,
    pages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// The platform, and what the ATS's server does with its secret key ------------------------------------------

export interface Stage {
  platform: RunningPlatform;
  openAi: FakeOpenAi;
  pages: Awaited<ReturnType<typeof startPageServer>>;
  keys: { test: string; live: string };
  browser: Browser;
}

async function api<T>(stage: Stage, method: string, path: string, key: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stage.platform.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface SessionRequest {
  /** A live-mode interview: it takes spoken answers (speech-to-text is configured), so the pre-check shows the microphone. */
  live?: boolean;
  /** Fields of the job over the default one. */
  job?: Record<string, unknown>;
  /** Cancel the interview after minting, so its token no longer works. */
  cancel?: boolean;
  /** Start the interview from the server side, so the widget resumes it. */
  start?: boolean;
}

export interface SessionFixture {
  token: string;
  interviewId: string;
}

export async function newSession(stage: Stage, request: SessionRequest = {}): Promise<SessionFixture> {
  const key = request.live ? stage.keys.live : stage.keys.test;
  const job = await api<{ id: string }>(stage, 'POST', '/v1/jobs', key, {
    title: 'Senior Frontend Engineer',
    description: 'Design systems team.',
    questions: [
      { text: 'Tell me about a component you are proud of.' },
      { text: 'How do you test accessibility?' },
    ],
    rubric: { dimensions: [{ key: 'craft', name: 'Craft', weight: 1 }] },
    ...request.job,
  });
  const candidate = await api<{ id: string }>(stage, 'POST', '/v1/candidates', key, { name: 'Ada Lovelace' });
  const interview = await api<{ id: string }>(stage, 'POST', '/v1/interviews', key, {
    job_id: job.id,
    candidate_id: candidate.id,
  });
  const session = await api<{ token: string }>(
    stage,
    'POST',
    `/v1/interviews/${interview.id}/sessions`,
    key,
    {},
  );
  if (request.cancel) await api(stage, 'POST', `/v1/interviews/${interview.id}/cancel`, key, {});
  if (request.start) {
    // As the widget would; a request without an `Origin` is not held to the token's origins.
    const started = await fetch(`${stage.platform.url}/v1/session/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    });
    if (!started.ok) throw new Error(`POST /v1/session/start: ${started.status} ${await started.text()}`);
  }
  return { token: session.token, interviewId: interview.id };
}

// The page --------------------------------------------------------------------------------------------------

export type Variant = 'light' | 'dark' | 'narrow';

export interface PageOptions {
  token: string;
  /** The platform's URL, or a proxy's in front of it. */
  apiBase: string;
  /** Attributes of `<ai-interview>` over `api-base` and `session-token`. */
  attributes?: Record<string, string>;
  /** The host page's direction and language. */
  dir?: 'ltr' | 'rtl';
  lang?: string;
  /** The host page's own CSS: custom properties and `::part()` rules. */
  css?: string;
  /** Children of `<ai-interview>`: slotted content. */
  children?: string;
  /** `strings` overrides, set as a property. */
  strings?: Record<string, string>;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function pageHtml(stage: Stage, options: PageOptions): string {
  const attributes = Object.entries({
    'api-base': options.apiBase,
    'session-token': options.token,
    locale: 'en',
    ...options.attributes,
  })
    .map(([name, value]) => `${name}="${escapeHtml(value)}"`)
    .join(' ');
  return `<!doctype html>
<html lang="${options.lang ?? 'en'}" dir="${options.dir ?? 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Screenshot</title>
<script type="module" src="${stage.platform.url}/sdk/ai-interview.js"></script>
<style>
  body { margin: 0; padding: 16px; }
  @media (max-width: 480px) { body { padding: 0; } }
  ai-interview { display: block; max-width: 44rem; margin: 0 auto; }
  ${options.css ?? ''}
</style>
</head>
<body>
<ai-interview ${attributes}>${options.children ?? ''}</ai-interview>
<script>
  // Before the widget's module runs: the element is not upgraded yet, so no event is missed.
  const widget = document.querySelector('ai-interview');
  widget.addEventListener('interview-state', (event) => { window.vivaState = event.detail; });
  ${options.strings ? `widget.strings = ${JSON.stringify(options.strings)};` : ''}
</script>
</body>
</html>
`;
}

const viewports: Record<Variant, { width: number; height: number }> = {
  // 44rem of widget and the page's margins: the widget at its widest.
  light: { width: 736, height: 900 },
  dark: { width: 736, height: 900 },
  // A small phone.
  narrow: { width: 360, height: 740 },
};

let pageCount = 0;

export async function openPage(stage: Stage, variant: Variant, options: PageOptions) {
  const context = await stage.browser.newContext({
    viewport: viewports[variant],
    deviceScaleFactor: 1,
    colorScheme: variant === 'dark' ? 'dark' : 'light',
    locale: 'en-US',
  });
  await context.grantPermissions(['microphone'], { origin: stage.pages.url });
  const page = await context.newPage();
  const path = `/page-${++pageCount}`;
  stage.pages.pages.set(path, pageHtml(stage, options));
  return { context, page, url: `${stage.pages.url}${path}` };
}

/** The element's node with this `part`: Playwright's CSS locators pierce the shadow root. */
export const part = (page: Page, name: string): Locator => page.locator(`ai-interview [part~="${name}"]`);

export async function untilScreen(page: Page, screen: string, timeout = 20_000): Promise<void> {
  await page.locator(`ai-interview [part~="base"][data-screen="${screen}"]`).waitFor({ timeout });
}

export async function untilState(page: Page, what: string, timeout = 20_000): Promise<void> {
  // `what` is a condition on `s`, the last `interview-state` detail.
  await page.waitForFunction(
    `(() => { const s = window.vivaState; return Boolean(s && (${what})); })()`,
    null,
    {
      timeout,
      polling: 50,
    },
  );
}

export async function capture(page: Page, name: string): Promise<void> {
  // Playwright waits for web fonts; `animations: 'disabled'` holds the spinner and the rings still.
  await page.locator('ai-interview').screenshot({
    path: join(imagesDir, `${name}.png`),
    animations: 'disabled',
    caret: 'hide',
    omitBackground: true,
  });
  console.log(`  docs/images/${name}.png`);
}

/** The level meter moves with the voice: capture while it shows one, and try again if it fell silent. */
export async function captureWithLevel(page: Page, name: string): Promise<void> {
  const level = () => part(page, 'level-meter').getAttribute('aria-valuenow').then(Number);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    await page.waitForFunction(
      `Number(document.querySelector('ai-interview')?.shadowRoot?.querySelector('[part~="level-meter"]')?.getAttribute('aria-valuenow')) >= 25`,
      null,
      { timeout: 20_000, polling: 20 },
    );
    await capture(page, name);
    if ((await level()) >= 15) return;
  }
}

export async function acceptAndStart(page: Page): Promise<void> {
  await part(page, 'consent-checkbox').check();
  await part(page, 'start-button').click();
  await untilScreen(page, 'live');
}

export async function sendTypedAnswer(page: Page, text: string): Promise<void> {
  await untilState(page, "s.turn === 'candidate'");
  await part(page, 'answer-input').fill(text);
  await part(page, 'send-button').click();
}

export async function blur(page: Page): Promise<void> {
  await page.evaluate("document.querySelector('ai-interview')?.shadowRoot?.activeElement?.blur()");
}

// Opening and closing ----------------------------------------------------------------------------------------

/**
 * Everything an ATS page has around the widget, on this machine: the platform in-process on the embedded
 * default (a temporary data directory), the fake speech-to-text, a page server on another origin, a tenant
 * that allows it, and Chromium hearing test/fixtures/answer.wav on its fake microphone.
 */
export async function openStage(): Promise<Stage & { close(): Promise<void> }> {
  ensureCdnBuild();
  ensureAnswerWav();
  mkdirSync(imagesDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'viva-screenshots-'));
  const pages = await startPageServer();
  const openAi = await startFakeOpenAi({ transcript: () => spokenAnswer });
  let platform: RunningPlatform | null = null;
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await platform?.close();
    await openAi.stop();
    await pages.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    platform = await startPlatform(
      loadConfig({
        PORT: '0',
        VIVA_DATA_DIR: dataDir,
        VIVA_ADMIN_KEY: adminKey,
        LOG_LEVEL: 'silent',
        STT_BASE_URL: openAi.baseUrl,
        STT_MODEL: 'whisper-1',
      }),
      { sdkDir: cdnDir },
    );
    const tenant = await fetch(`${platform.url}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme', allowed_origins: [pages.url] }),
    });
    if (!tenant.ok) throw new Error(`POST /admin/v1/tenants: ${tenant.status} ${await tenant.text()}`);
    const { api_keys: keys } = (await tenant.json()) as { api_keys: { test: string; live: string } };
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs() });
    return { platform, openAi, pages, keys, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
