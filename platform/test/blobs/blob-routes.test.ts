import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalBlobStore } from '../../src/blobs/local-blob-store.ts';
import { type LocalBlobServer, startLocalBlobServer } from './local-blob-server.ts';

const key = 'ten_1/test/cand_1/resume/r1';
const otherKey = 'ten_1/test/cand_2/resume/r1';

/** Fetches and reads the body, so a failed expectation can show the whole response. */
async function download(url: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('GET /blobs/:key', () => {
  let server: LocalBlobServer;
  let store: LocalBlobStore;
  beforeAll(async () => {
    server = await startLocalBlobServer();
    store = server.store;
    await store.put(key, Buffer.from('<h1>résumé</h1>'), 'text/html');
    await store.put(otherKey, Buffer.from('someone else'), 'text/plain');
  });
  afterAll(() => server?.stop());
  afterEach(() => {
    vi.useRealTimers();
  });

  function expectForbidden(response: { status: number; text: string }): void {
    expect(response.status, JSON.stringify(response)).toBe(403);
    expect(JSON.parse(response.text)).toEqual({
      code: 'insufficient_scope',
      detail: 'This download link is invalid or has expired.',
    });
  }

  it('serves the blob inline with defensive headers', async () => {
    const response = await download(await store.signedUrl(key, { expiresInSeconds: 60 }));
    expect(response.status, JSON.stringify(response)).toBe(200);
    expect(response.text).toBe('<h1>résumé</h1>');
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'text/html',
      'content-length': String(Buffer.byteLength('<h1>résumé</h1>')),
      'cache-control': 'private, max-age=60',
      'content-disposition': 'inline',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
  });

  it('serves the blob as an attachment when the link names it', async () => {
    const response = await download(
      await store.signedUrl(key, { expiresInSeconds: 60, downloadName: 'cv.html' }),
    );
    expect(response.status, JSON.stringify(response)).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="cv.html"; filename*=UTF-8''cv.html`,
    );
  });

  it('answers HEAD with the headers alone', async () => {
    const response = await fetch(await store.signedUrl(key, { expiresInSeconds: 60 }), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength('<h1>résumé</h1>')));
  });

  it('serves one byte range as 206 Partial Content, so a player can seek in a recording', async () => {
    const url = await store.signedUrl(otherKey, { expiresInSeconds: 60 });
    const ranged = async (range: string, headers: Record<string, string> = {}) => {
      const response = await fetch(url, { headers: { range, ...headers } });
      return {
        status: response.status,
        text: await response.text(),
        contentRange: response.headers.get('content-range'),
        length: response.headers.get('content-length'),
      };
    };
    // 'someone else' is 12 bytes.
    expect(await ranged('bytes=0-6')).toEqual({
      status: 206,
      text: 'someone',
      contentRange: 'bytes 0-6/12',
      length: '7',
    });
    expect(await ranged('bytes=8-')).toMatchObject({
      status: 206,
      text: 'else',
      contentRange: 'bytes 8-11/12',
    });
    expect(await ranged('bytes=-4')).toMatchObject({
      status: 206,
      text: 'else',
      contentRange: 'bytes 8-11/12',
    });
    expect(await ranged('bytes=8-99')).toMatchObject({
      status: 206,
      text: 'else',
      contentRange: 'bytes 8-11/12',
    });
    // What this route does not serve (several ranges, past the end, nonsense, If-Range) gets the whole file.
    for (const [range, headers] of [
      ['bytes=0-1,4-5', {}],
      ['bytes=12-', {}],
      ['bytes=5-2', {}],
      ['pages=1-2', {}],
      ['bytes=0-6', { 'if-range': 'Mon, 07 Dec 2026 10:00:00 GMT' }],
    ] as const) {
      expect(await ranged(range, headers), range).toEqual({
        status: 200,
        text: 'someone else',
        contentRange: null,
        length: '12',
      });
    }
    const whole = await fetch(url);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
  });

  it('refuses a tampered signature', async () => {
    const url = new URL(await store.signedUrl(key, { expiresInSeconds: 60 }));
    const signature = url.searchParams.get('signature')!;
    url.searchParams.set('signature', `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
    expectForbidden(await download(url.href));
  });

  it('refuses a link without a signature or expiry', async () => {
    const url = new URL(await store.signedUrl(key, { expiresInSeconds: 60 }));
    const withoutSignature = new URL(url);
    withoutSignature.searchParams.delete('signature');
    expectForbidden(await download(withoutSignature.href));
    const withoutExpiry = new URL(url);
    withoutExpiry.searchParams.delete('expires');
    expectForbidden(await download(withoutExpiry.href));
  });

  it('refuses an expired link', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 120_000);
    const url = await store.signedUrl(key, { expiresInSeconds: 60 });
    vi.useRealTimers();
    expectForbidden(await download(url));
  });

  it('refuses a link whose expiry was pushed back', async () => {
    const url = new URL(await store.signedUrl(key, { expiresInSeconds: 60 }));
    url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expectForbidden(await download(url.href));
  });

  it("refuses one blob's signature on another blob", async () => {
    const url = new URL(await store.signedUrl(key, { expiresInSeconds: 60 }));
    url.pathname = `/blobs/${Buffer.from(otherKey).toString('base64url')}`;
    expectForbidden(await download(url.href));
  });

  it('refuses a download name that was not signed', async () => {
    const url = new URL(await store.signedUrl(key, { expiresInSeconds: 60, downloadName: 'cv.html' }));
    url.searchParams.set('name', 'invoice.html');
    expectForbidden(await download(url.href));
    url.searchParams.delete('name');
    expectForbidden(await download(url.href));
  });

  it('answers 404 when a validly signed blob is gone', async () => {
    const url = await store.signedUrl('ten_1/test/cand_3/resume/gone', { expiresInSeconds: 60 });
    const response = await download(url);
    expect(response.status, JSON.stringify(response)).toBe(404);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'resource_missing' });
  });
});
