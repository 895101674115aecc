import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

/** `GET /join`: the page an e-mailed `join_url` opens, hosting `<ai-interview>` when the widget is built. */

let test: TestPlatform;
let sdkDir: string;

beforeAll(async () => {
  sdkDir = await mkdtemp(join(tmpdir(), 'viva-sdk-'));
  test = await startTestPlatform({}, { sdkDir });
});
afterAll(async () => {
  await test?.stop();
  await rm(sdkDir, { recursive: true, force: true });
});

async function joinPage() {
  const res = await fetch(`${test.url}/join`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  return { html: await res.text(), headers: res.headers };
}

/** The policy's directives by name. */
function directives(policy: string | null): Map<string, string[]> {
  return new Map(
    (policy ?? '').split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

/** Every inline script runs only because the policy names its hash: nothing else inline can. */
function expectInlineScriptsPinned(html: string, policy: string | null): void {
  const scriptSrc = directives(policy).get('script-src') ?? [];
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  const inline = [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  expect(inline).toHaveLength(1);
  for (const script of inline) {
    expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  }
}

describe('the join page', () => {
  it('falls back to a text interview while the widget is not built, so no invite link is dead', async () => {
    const { html, headers } = await joinPage();
    expect(html).toContain('id="answer-form"');
    expect(html).not.toContain('/sdk/ai-interview.js');
    expectInlineScriptsPinned(html, headers.get('content-security-policy'));
  });

  it('hosts <ai-interview> from /sdk/ once the widget is built', async () => {
    await writeFile(join(sdkDir, 'ai-interview.js'), 'export {};\n');
    const { html, headers } = await joinPage();
    expect(html).toContain('<script type="module" src="/sdk/ai-interview.js"></script>');
    expect(html).toContain('<ai-interview></ai-interview>');
    // The token stays in the fragment: the page moves it into the element and out of the address bar.
    expect(html).toContain("new URLSearchParams(location.hash.slice(1)).get('token')");
    expect(html).toContain('history.replaceState');

    const policy = headers.get('content-security-policy');
    expectInlineScriptsPinned(html, policy);
    const csp = directives(policy);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cache-control')).toBe('no-cache');
  });
});
