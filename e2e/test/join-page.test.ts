import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '@viva/example-ats-embed/test/support/chromium.ts';
import { ensureWidgetBuilt } from '@viva/example-ats-embed/test/support/widget-build.ts';
import { apiClient, createTestTenant } from '@viva/platform/test/support/api.ts';
import { startTestPlatform, type TestPlatform } from '@viva/platform/test/support/harness.ts';
import { openSession } from '@viva/platform/test/support/sessions.ts';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { textOf, watchPageProblems } from '../support/widget-candidate.ts';

/**
 * The join page in headless Chromium, as a candidate opens an e-mailed `join_url`: directly, and through a
 * proxy that serves each platform under a path of its public URL (`VIVA_PUBLIC_URL=…/viva`), stripping it.
 * One platform serves the widget's build; the other has none, so its join page is the text fallback.
 */

let proxy: Server;
let proxyUrl: string;
/** Every path the proxy was asked for, in order. */
const proxied: string[] = [];
/** Path prefix → the platform the proxy forwards it to. */
const upstreams = new Map<string, string>();
let widgetPlatform: TestPlatform;
let textPlatform: TestPlatform;
let emptySdkDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];

function prefixProxy(): Server {
  return createServer((req, res) => {
    const path = req.url ?? '/';
    proxied.push(path);
    const prefix = [...upstreams.keys()].find((p) => path.startsWith(`${p}/`));
    if (!prefix) {
      res.writeHead(404).end();
      return;
    }
    const upstream = request(
      new URL(path.slice(prefix.length), upstreams.get(prefix)),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}

async function session(test: TestPlatform) {
  const api = apiClient(test.url);
  return openSession(api, (await createTestTenant(api)).testKey);
}

/** Waits for `locator` to show; a timeout says what the page showed and what went wrong in it. */
async function shows(locator: Locator, what: string): Promise<void> {
  try {
    await locator.waitFor({ timeout: 10_000 });
  } catch (error) {
    const shown = await page.content().catch(String);
    throw new Error(
      `Timed out waiting for ${what} at ${page.url()}. Problems: ${problems.join('; ') || 'none'}. Page: ${shown}`,
      { cause: error },
    );
  }
}

beforeAll(async () => {
  proxy = prefixProxy();
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  emptySdkDir = await mkdtemp(join(tmpdir(), 'viva-e2e-sdk-'));
  [widgetPlatform, textPlatform] = await Promise.all([
    startTestPlatform({ VIVA_PUBLIC_URL: `${proxyUrl}/viva` }, { sdkDir: await ensureWidgetBuilt() }),
    startTestPlatform({ VIVA_PUBLIC_URL: `${proxyUrl}/text` }, { sdkDir: emptySdkDir }),
  ]);
  upstreams.set('/viva', widgetPlatform.url);
  upstreams.set('/text', textPlatform.url);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  proxy?.closeAllConnections();
  proxy?.close();
  await Promise.all([widgetPlatform?.stop(), textPlatform?.stop()]);
  if (emptySdkDir) await rm(emptySdkDir, { recursive: true, force: true });
});
beforeEach(async () => {
  proxied.length = 0;
  context = await browser.newContext();
  page = await context.newPage();
  problems = await watchPageProblems(page);
});
afterEach(async () => {
  await context?.close();
});

/** What the proxy was asked for outside `prefix` (the browser's own favicon request aside). */
const outside = (prefix: string) =>
  proxied.filter((p) => !p.startsWith(`${prefix}/`) && p !== '/favicon.ico');

const startButton = () => page.locator('ai-interview [part~="start-button"]');

describe('the join page in a browser', () => {
  it('keeps the interview after a reload: the token leaves the address bar for the tab history', async () => {
    const { token } = await session(widgetPlatform);
    await page.goto(`${widgetPlatform.url}/join#token=${token}`);
    await shows(startButton(), 'the start button');
    expect(await page.evaluate('location.hash')).toBe('');
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');

    await page.reload();
    await shows(startButton(), 'the start button after a reload');
    expect(await page.evaluate(`document.getElementById('no-token').hidden`)).toBe(true);
    expect(problems).toEqual([]);
  });

  it("finds the widget and the API under the public URL's path, from /join and /join/", async () => {
    const { token, joinUrl } = await session(widgetPlatform);
    expect(joinUrl).toBe(`${proxyUrl}/viva/join#token=${token}`);
    await page.goto(joinUrl);
    await shows(startButton(), 'the start button');
    expect(proxied).toEqual(expect.arrayContaining(['/viva/sdk/ai-interview.js', '/viva/v1/session']));
    expect(outside('/viva')).toEqual([]);

    await page.goto(`${proxyUrl}/viva/join/#token=${token}`);
    await shows(startButton(), 'the start button at /join/');
    expect(outside('/viva')).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('falls back to the text page, which also resumes after a reload and finds the API under the path', async () => {
    const { joinUrl } = await session(textPlatform);
    await page.goto(joinUrl);
    await shows(page.locator('#consent'), 'the consent notice');
    expect(await textOf(page.locator('#title'))).toContain('Acme');
    expect(await page.evaluate('location.hash')).toBe('');

    await page.reload();
    await shows(page.locator('#consent'), 'the consent notice after a reload');
    expect(await textOf(page.locator('#title'))).toContain('Acme');
    expect(proxied).toContain('/text/v1/session');
    expect(outside('/text')).toEqual([]);
    expect(problems).toEqual([]);
  });
});
