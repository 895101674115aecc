import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSdkDir } from '../../src/config/config.ts';
import { demoBrowser } from '../demo/demo-browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';

/** `/sdk/…`: the widget's script-tag build, served from a folder this test fills in. */

let test: TestPlatform;
let sdkDir: string;
let browser: ReturnType<typeof demoBrowser>;

beforeAll(async () => {
  sdkDir = await mkdtemp(join(tmpdir(), 'viva-sdk-'));
  test = await startTestPlatform({}, { sdkDir });
  browser = demoBrowser(test.url);
});
afterAll(async () => {
  await test?.stop();
  await rm(sdkDir, { recursive: true, force: true });
});

describe('the widget files at /sdk/', () => {
  it("points at the repository's script-tag build by default", () => {
    expect(defaultSdkDir.replaceAll('\\', '/')).toMatch(/\/sdk\/dist\/cdn\/?$/);
  });

  it('says how to build the widget while it is missing', async () => {
    const res = await browser.open('/sdk/ai-interview.js');
    expect(res.status).toBe(404);
    expect(res.html).toContain('run pnpm --filter @viva/sdk build:cdn');
  });

  it('serves the build with its content types, caching hashed chunks for good', async () => {
    await writeFile(join(sdkDir, 'ai-interview.js'), 'export {};\n');
    await writeFile(join(sdkDir, 'ai-interview.js.map'), '{"version":3}');
    await writeFile(join(sdkDir, 'livekit-Bx9_a-2Q.js'), 'export const chunk = 1;\n');

    const entry = await browser.open('/sdk/ai-interview.js');
    expect(entry.status).toBe(200);
    expect(entry.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(entry.headers.get('cache-control')).toBe('public, max-age=60, must-revalidate');
    // ATS pages on other origins load it as a module script, which is fetched with CORS.
    expect(entry.headers.get('access-control-allow-origin')).toBe('*');
    expect(entry.html).toBe('export {};\n');
    const revalidated = await browser.rawGet('/sdk/ai-interview.js', {
      'if-none-match': entry.headers.get('etag')!,
    });
    expect(revalidated.status).toBe(304);

    const map = await browser.open('/sdk/ai-interview.js.map');
    expect(map.headers.get('content-type')).toBe('application/json; charset=utf-8');

    const chunk = await browser.open('/sdk/livekit-Bx9_a-2Q.js');
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const missing = await browser.open('/sdk/other.js');
    expect(missing.status).toBe(404);
    expect(missing.html).not.toContain('build:cdn');
  });

  it('refuses paths that leave the build folder', async () => {
    const outside = join(sdkDir, '..', `${basename(sdkDir)}-outside.js`);
    await writeFile(outside, 'OUTSIDE THE BUILD');
    for (const path of [
      '/sdk/../package.json',
      '/sdk/%2e%2e/package.json',
      '/sdk/..%2fpackage.json',
      '/sdk/%2e%2e%2f..%2fpackage.json',
      `/sdk/..%2f${encodeURIComponent(basename(outside))}`,
      `/sdk/%2e%2e/${encodeURIComponent(basename(outside))}`,
      '/sdk/.hidden.js',
      '/sdk/ai-interview.ts',
    ]) {
      const res = await browser.rawGet(path);
      expect(res.status, `${path}: ${res.body}`).not.toBe(200);
      expect(res.body, path).not.toContain('"name"');
      expect(res.body, path).not.toContain('OUTSIDE THE BUILD');
    }
    await rm(outside, { force: true });
  });
});
