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

/**
 * Every inline script and style applies only because the policy names its hash: nothing else inline can,
 * not even a `style` attribute.
 */
function expectInlineCodePinned(html: string, policy: string | null): void {
  const inline = {
    'script-src': /<script type="module">([\s\S]*?)<\/script>/g,
    'style-src': /<style>([\s\S]*?)<\/style>/g,
  };
  for (const [directive, pattern] of Object.entries(inline)) {
    const sources = directives(policy).get(directive) ?? [];
    expect(sources, `${directive} in ${policy}`).not.toContain("'unsafe-inline'");
    const blocks = [...html.matchAll(pattern)].map((m) => m[1] ?? '');
    expect(blocks, directive).toHaveLength(1);
    for (const block of blocks) {
      expect(sources, `${directive} in ${policy}`).toContain(
        `'sha256-${createHash('sha256').update(block).digest('base64')}'`,
      );
    }
  }
}

describe('the join page', () => {
  it('falls back to a text interview while the widget is not built, so no invite link is dead', async () => {
    const { html, headers } = await joinPage();
    expect(html).toContain('id="answer-form"');
    expect(html).not.toContain('sdk/ai-interview.js');
    expect(html).toContain('<html lang="en">');
    expectInlineCodePinned(html, headers.get('content-security-policy'));
  });

  it('hosts <ai-interview> from /sdk/ once the widget is built', async () => {
    await writeFile(join(sdkDir, 'ai-interview.js'), 'export {};\n');
    const { html, headers } = await joinPage();
    expect(html).toContain('<html lang="en">');
    // Beside the page, never at the origin's root: the public URL may carry a path (e2e/test/join-page.test.ts).
    expect(html).toContain("await import(new URL('sdk/ai-interview.js', platform).href);");
    expect(html).not.toContain('/sdk/ai-interview.js');
    expect(html).toContain('<ai-interview></ai-interview>');
    // The token stays in the fragment: the page moves it into the element and out of the address bar, into
    // the tab's history entry (a reload resumes: e2e/test/join-page.test.ts).
    expect(html).toContain(
      "new URLSearchParams(location.hash.slice(1)).get('token') ?? history.state?.token",
    );
    expect(html).toContain(
      "history.replaceState(token ? { token } : null, '', location.pathname + location.search);",
    );

    const policy = headers.get('content-security-policy');
    expectInlineCodePinned(html, policy);
    const csp = directives(policy);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cache-control')).toBe('no-cache');
  });
});
