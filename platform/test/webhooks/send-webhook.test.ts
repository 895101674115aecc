import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sendWebhook, type WebhookAttempt } from '../../src/webhooks/send-webhook.ts';
import { webhookHeaders } from '../../src/webhooks/webhook-signature.ts';
import {
  type Handler,
  type LoopbackReceiver,
  selfSignedCertificate,
  startReceiver,
} from './loopback-receiver.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = JSON.stringify({ id: 'evt_1', type: 'interview.completed', data: { object: {} } });
const headers = webhookHeaders([secret], 'evt_1', Math.floor(Date.now() / 1000), body);
const local = { timeoutMs: 5_000, allowPrivateNetworks: true };
const guarded = { timeoutMs: 5_000, allowPrivateNetworks: false };

const receivers: LoopbackReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(handle: Handler, options: Parameters<typeof startReceiver>[1] = {}) {
  const started = await startReceiver(handle, options);
  receivers.push(started);
  return started;
}

function send(url: string, options: Parameters<typeof sendWebhook>[1] = local): Promise<WebhookAttempt> {
  return sendWebhook({ url, headers, body }, options);
}

const answer =
  (status: number, extra: Record<string, string> = {}, text = ''): Handler =>
  (_req, res) =>
    res.writeHead(status, extra).end(text);

describe('sendWebhook: answers', () => {
  it('posts the body and headers as given, and a 2xx succeeds', async () => {
    const r = await receiver(answer(200, {}, 'ok'));
    const attempt = await send(`${r.url}/hooks/viva?tenant=1`);
    expect(attempt, JSON.stringify(attempt)).toEqual({
      outcome: 'succeeded',
      statusCode: 200,
      latencyMs: expect.any(Number),
      responseSnippet: 'ok',
      error: null,
      retryAfterSeconds: null,
      gone: false,
    });
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]).toMatchObject({ method: 'POST', path: '/hooks/viva?tenant=1', body });
    expect(r.requests[0]!.headers).toMatchObject({
      'webhook-id': 'evt_1',
      'webhook-timestamp': headers['webhook-timestamp'],
      'webhook-signature': headers['webhook-signature'],
      'content-type': 'application/json',
      'user-agent': 'Viva-Webhooks/1',
      'content-length': String(Buffer.byteLength(body)),
    });
  });

  it('counts any 2xx as delivered, with an empty snippet for an empty body', async () => {
    const r = await receiver(answer(204));
    expect(await send(r.url)).toMatchObject({ outcome: 'succeeded', statusCode: 204, responseSnippet: '' });
  });

  it('fails on a 500 and keeps what the receiver said', async () => {
    const r = await receiver(answer(500, { 'retry-after': '30' }, 'database down'));
    const attempt = await send(r.url);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({
      outcome: 'failed',
      statusCode: 500,
      responseSnippet: 'database down',
      error: null,
      // Retry-After is only read from a 429 or a 503.
      retryAfterSeconds: null,
      gone: false,
    });
  });

  it('reports a 410 as gone', async () => {
    const r = await receiver(answer(410, {}, 'no such hook'));
    expect(await send(r.url)).toMatchObject({ outcome: 'failed', statusCode: 410, gone: true });
  });

  it('reads Retry-After in seconds from a 429', async () => {
    const r = await receiver(answer(429, { 'retry-after': '120' }));
    expect(await send(r.url)).toMatchObject({ outcome: 'failed', statusCode: 429, retryAfterSeconds: 120 });
  });

  it('reads Retry-After as an HTTP-date from a 503', async () => {
    const r = await receiver(answer(503, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() }));
    const attempt = await send(r.url);
    expect(attempt).toMatchObject({ outcome: 'failed', statusCode: 503 });
    expect(attempt.retryAfterSeconds).toBeGreaterThanOrEqual(88);
    expect(attempt.retryAfterSeconds).toBeLessThanOrEqual(90);
  });

  it.each([
    ['a date in the past', new Date(Date.now() - 60_000).toUTCString(), 0],
    ['nonsense', 'soon', null],
    ['a negative number', '-5', null],
    ['a fraction', '1.5', null],
  ])('reads a Retry-After of %s as %s', async (_what, value, expected) => {
    const r = await receiver(answer(503, { 'retry-after': value }));
    expect(await send(r.url)).toMatchObject({ statusCode: 503, retryAfterSeconds: expected });
  });

  it('gives no Retry-After when a 503 has none', async () => {
    const r = await receiver(answer(503));
    expect(await send(r.url)).toMatchObject({ statusCode: 503, retryAfterSeconds: null });
  });

  it.each([301, 302, 303, 307, 308])('never follows a %i redirect', async (status) => {
    const target = await receiver(answer(200, {}, 'ok'));
    const r = await receiver(answer(status, { location: `${target.url}/elsewhere` }, 'moved'));
    const attempt = await send(r.url);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({
      outcome: 'failed',
      statusCode: status,
      error: 'redirect_not_followed',
      responseSnippet: 'moved',
    });
    expect(r.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });
});

describe('sendWebhook: the response snippet', () => {
  it('reads no more than 1 KiB of a huge body and hangs up', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    let written = 0;
    const r = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // Streams 64 MiB unless the sender stops reading.
      const pump = () => {
        while (written < 64 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const attempt = await send(r.url);
    expect(attempt).toMatchObject({
      outcome: 'succeeded',
      statusCode: 200,
      responseSnippet: 'x'.repeat(1024),
    });
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('cuts at a character boundary, never inside one', async () => {
    const r = await receiver(answer(500, {}, '€'.repeat(100)));
    const attempt = await sendWebhook({ url: r.url, headers, body }, { ...local, maxSnippetBytes: 10 });
    // Three 3-byte characters fit in 10 bytes; the fourth would be cut, so it is left out.
    expect(attempt.responseSnippet).toBe('€€€');
  });

  it('replaces NUL, which a PostgreSQL text column cannot store', async () => {
    const r = await receiver(answer(200, {}, 'a\u0000b'));
    expect((await send(r.url)).responseSnippet).toBe('a\uFFFDb');
  });
});

describe('sendWebhook: network failures', () => {
  it('gives up after timeoutMs when the receiver never answers', async () => {
    const r = await receiver(() => undefined);
    const attempt = await send(r.url, { ...local, timeoutMs: 300 });
    expect(attempt, JSON.stringify(attempt)).toMatchObject({
      outcome: 'failed',
      statusCode: null,
      responseSnippet: null,
      error: 'timeout',
    });
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(290);
    expect(attempt.latencyMs).toBeLessThan(2_000);
  });

  it('bounds the body by the same deadline, and keeps the status once it is in', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const attempt = await send(r.url, { ...local, timeoutMs: 300 });
    expect(attempt, JSON.stringify(attempt)).toMatchObject({
      outcome: 'succeeded',
      statusCode: 200,
      responseSnippet: 'partial',
      error: null,
    });
    expect(attempt.latencyMs).toBeLessThan(2_000);
  });

  it('reports a connection reset', async () => {
    const r = await receiver((req) => req.socket.destroy());
    const attempt = await send(r.url);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({
      outcome: 'failed',
      statusCode: null,
      error: 'connection_reset',
    });
  });

  it('reports a refused connection', async () => {
    const r = await startReceiver(answer(200));
    await r.close();
    expect(await send(r.url)).toMatchObject({ outcome: 'failed', error: 'connection_refused' });
  });

  it('reports a name that does not resolve', async () => {
    expect(await send('https://no-such-host.invalid/hook', guarded)).toMatchObject({
      outcome: 'failed',
      error: 'dns_failure',
    });
  });

  it('reports an answer that is not HTTP', async () => {
    const r = await receiver((req) => req.socket.end('SMTP ready\r\n\r\n'));
    expect(await send(r.url)).toMatchObject({
      outcome: 'failed',
      statusCode: null,
      error: 'invalid_response',
    });
  });

  it('fails the attempt, without throwing, on a header Node will not send', async () => {
    const r = await receiver(answer(200));
    const attempt = await sendWebhook({ url: r.url, headers: { 'x-bad': 'a\nb' }, body }, local);
    expect(attempt).toMatchObject({ outcome: 'failed', error: 'invalid_request' });
    expect(r.requests).toHaveLength(0);
  });

  it.each(['not a url', 'ftp://example.com/hook', '/relative'])('refuses %j as invalid_url', async (url) => {
    expect(await send(url)).toMatchObject({ outcome: 'failed', statusCode: null, error: 'invalid_url' });
  });
});

describe('sendWebhook: connection reuse', () => {
  it('sends one delivery after another over the same connection', async () => {
    const r = await receiver(answer(200, {}, 'ok'));
    for (let i = 0; i < 3; i++) expect((await send(r.url)).outcome).toBe('succeeded');
    expect(r.requests).toHaveLength(3);
    expect(r.connections).toBe(1);
  });

  it('sends again on a new connection when a pooled one was closed under it', async () => {
    const perSocket = new WeakMap<object, number>();
    const r = await receiver((req, res) => {
      const seen = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, seen);
      if (seen > 1) req.socket.destroy();
      else res.writeHead(200).end('ok');
    });
    expect((await send(r.url)).outcome).toBe('succeeded');
    const attempt = await send(r.url);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({ outcome: 'succeeded', statusCode: 200 });
    expect(r.connections).toBe(2);
  });
});

describe('sendWebhook: private networks refused', () => {
  it.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/`],
    ['::ffff:127.0.0.1', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['::ffff:7f00:1', (port: number) => `http://[::ffff:7f00:1]:${port}/`],
    ['0.0.0.0, which Linux dials as loopback', (port: number) => `http://0.0.0.0:${port}/`],
    ['the name localhost, resolved at connect time', (port: number) => `http://localhost:${port}/`],
  ])('refuses %s without a request reaching the receiver', async (_what, url) => {
    const r = await receiver(answer(200, {}, 'ok'));
    const attempt = await send(url(r.port), guarded);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({
      outcome: 'failed',
      statusCode: null,
      error: 'forbidden_address',
    });
    expect(r.requests).toHaveLength(0);
  });

  it('refuses [::1] without a request reaching the receiver', async () => {
    const r = await receiver(answer(200, {}, 'ok'), { host: '::1' });
    expect(await send(r.url, guarded)).toMatchObject({ outcome: 'failed', error: 'forbidden_address' });
    expect(r.requests).toHaveLength(0);
  });

  it.each([
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://[fc00::1]/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://[::]/',
    'http://2130706433/',
  ])('refuses %s before connecting', async (url) => {
    const attempt = await send(url, guarded);
    expect(attempt).toMatchObject({ outcome: 'failed', error: 'forbidden_address' });
    expect(attempt.latencyMs).toBeLessThan(100);
  });

  it('delivers to loopback when private networks are allowed, and never lends that connection out', async () => {
    const r = await receiver(answer(200, {}, 'ok'));
    expect((await send(`http://localhost:${r.port}/`, local)).outcome).toBe('succeeded');
    // The allowed delivery left a pooled connection to localhost; a guarded one must not use it.
    expect(await send(`http://localhost:${r.port}/`, guarded)).toMatchObject({ error: 'forbidden_address' });
    expect(r.requests).toHaveLength(1);
  });
});

const certificate = selfSignedCertificate();

describe.skipIf(certificate === null)('sendWebhook: https', () => {
  const defaults = getCACertificates('default');
  afterAll(() => setDefaultCACertificates(defaults));

  it('refuses a certificate it cannot verify', async () => {
    const r = await receiver(answer(200, {}, 'ok'), { tls: certificate! });
    const attempt = await send(r.url);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({ outcome: 'failed', error: 'tls_error' });
    expect(r.requests).toHaveLength(0);
  });

  it('delivers over https to a trusted certificate', async () => {
    setDefaultCACertificates([...defaults, certificate!.cert]);
    const r = await receiver(answer(200, {}, 'ok'), { tls: certificate! });
    const attempt = await send(`${r.url}/hook`);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({ outcome: 'succeeded', responseSnippet: 'ok' });
    expect(r.requests[0]).toMatchObject({ method: 'POST', path: '/hook', body });
  });
});
