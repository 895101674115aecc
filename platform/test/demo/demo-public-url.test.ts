import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { demoBrowser } from './demo-browser.ts';

/**
 * The demo's career page when the platform's public URL carries a path (`VIVA_PUBLIC_URL=…/viva`: a proxy
 * serves it under `/viva` and strips that before forwarding). Read as HTML: the rest of the demo's own links
 * are root paths, so the demo as a whole is not browsed through such a proxy here.
 */

let test: TestPlatform;
let browser: ReturnType<typeof demoBrowser>;

beforeAll(async () => {
  test = await startTestPlatform(
    { VIVA_PUBLIC_URL: 'https://careers.acme.example/viva' },
    { demo: true, sdkDir: '/nonexistent/viva-sdk' },
  );
  browser = demoBrowser(test.url);
});
afterAll(async () => test?.stop());

describe('the demo career page under a public URL with a path', () => {
  it('loads the widget and points it at the API under that path', async () => {
    const interviewId = await browser.invite(await browser.createJob(), 'Ada Lovelace');
    // As the proxy forwards the candidate's request.
    const career = await browser.open(`/demo/careers/${interviewId}`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'careers.acme.example' },
    });
    expect(career.status, career.html).toBe(200);
    expect(career.html).toContain('<script type="module" src="/viva/sdk/ai-interview.js"></script>');
    expect(career.html).toMatch(
      /<ai-interview session-token="[^"]+" api-base="https:\/\/careers\.acme\.example\/viva"><\/ai-interview>/,
    );
    // The text fallback's link is the join_url, minted at the public URL.
    expect(career.html).toContain('href="https://careers.acme.example/viva/join#token=');
  });
});
