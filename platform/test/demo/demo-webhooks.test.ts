import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoTenant } from '../../src/tenants/demo-tenant.ts';
import { signatureHeader } from '../../src/webhooks/webhook-signature.ts';
import { type ApiClient, apiClient, describeResponse } from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { demoBrowser } from './demo-browser.ts';

/** The demo's webhook endpoint: registered once and kept, and a receiver that verifies every delivery. */

let test: TestPlatform;
let api: ApiClient;
let demo: DemoTenant;
let browser: ReturnType<typeof demoBrowser>;

beforeAll(async () => {
  test = await startTestPlatform({}, { demo: true });
  api = apiClient(test.url);
  demo = test.platform.demo!;
  browser = demoBrowser(test.url);
});
afterAll(async () => test?.stop());

describe('the demo webhook receiver', () => {
  const body = JSON.stringify({
    id: 'evt_0000000000000000000000000a',
    type: 'interview.started',
    timestamp: new Date().toISOString(),
    livemode: false,
    interview_id: 'int_0000000000000000000000000a',
    sequence: 2,
    data: { object: {} },
  });
  const deliver = (headers: Record<string, string>) =>
    browser.open('/demo/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (timestamp: number, secret = demo.test.webhookSecret!) => ({
    'webhook-id': 'evt_0000000000000000000000000a',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader([secret], 'evt_0000000000000000000000000a', timestamp, body),
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('keeps the endpoint and its secret beside the demo key', async () => {
    const file = JSON.parse(
      await readFile(join(test.platform.services.config.dataDir, 'demo-tenant.json'), 'utf8'),
    ) as DemoTenant;
    expect(file).toMatchObject({
      tenantId: demo.tenantId,
      test: { key: demo.test.key, webhookEndpointId: expect.stringMatching(/^we_/) },
    });
    expect(file.test.webhookSecret).toMatch(/^whsec_/);
    // No AI provider configured: the demo stays in test mode and holds no live key.
    expect(file.live).toBeUndefined();
    const endpoint = await api.call('GET', `/v1/webhook_endpoints/${file.test.webhookEndpointId}`, {
      key: demo.test.key,
    });
    expect(endpoint.body).toMatchObject({
      url: `${test.url}/demo/webhooks`,
      enabled_events: ['*'],
      enabled: true,
    });
  });

  it('accepts a delivery signed with the endpoint secret', async () => {
    const res = await deliver(signed(now()));
    expect(res.status, res.html).toBe(200);
  });

  it('refuses a bad signature, another secret, a stale timestamp and missing headers with 400', async () => {
    const cases: [string, Record<string, string>][] = [
      [
        'a forged signature',
        { ...signed(now()), 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      ],
      ['another secret', signed(now(), 'whsec_c2VjcmV0LW9mLXNvbWVvbmUtZWxzZS0zMi1ieXRlcyE=')],
      ['a timestamp 6 minutes old', signed(now() - 360)],
      ['no signature', { 'webhook-id': 'evt_x', 'webhook-timestamp': String(now()) }],
    ];
    for (const [what, headers] of cases) {
      const res = await deliver(headers);
      expect(res.status, `${what}: ${res.html}`).toBe(400);
    }
  });
});

/**
 * A GET sent exactly as written: fetch would resolve `..` before sending it, and add `Cache-Control: no-cache`
 * to a conditional request.
 */

describe('the demo across restarts', () => {
  it('keeps its endpoint, follows the port, and registers one for a file written before the demo', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'viva-demo-'));
    const file = join(dataDir, 'demo-tenant.json');
    const start = () => startTestPlatform({ VIVA_DATA_DIR: dataDir }, { demo: true });
    try {
      const first = await start();
      const registered = JSON.parse(await readFile(file, 'utf8')) as DemoTenant;
      await first.stop();

      const second = await start();
      const kept = JSON.parse(await readFile(file, 'utf8')) as DemoTenant;
      expect(kept).toEqual(registered);
      const endpoint = await apiClient(second.url).call(
        'GET',
        `/v1/webhook_endpoints/${kept.test.webhookEndpointId}`,
        { key: kept.test.key },
      );
      expect(endpoint.body, describeResponse(endpoint)).toMatchObject({ url: `${second.url}/demo/webhooks` });
      await second.stop();

      // A demo-tenant.json from before the demo ATS: the tenant and key only, in the file's first shape.
      await writeFile(file, JSON.stringify({ tenantId: kept.tenantId, testKey: kept.test.key }));
      const third = await start();
      const upgraded = JSON.parse(await readFile(file, 'utf8')) as DemoTenant;
      expect(upgraded).toMatchObject({ tenantId: kept.tenantId, test: { key: kept.test.key } });
      expect(upgraded.test.webhookEndpointId).toMatch(/^we_/);
      expect(upgraded.test.webhookEndpointId).not.toBe(kept.test.webhookEndpointId);
      expect(upgraded.test.webhookSecret).toMatch(/^whsec_/);
      await third.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('works in live mode once an AI provider is configured, keeping its test key and endpoint', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'viva-demo-'));
    const file = join(dataDir, 'demo-tenant.json');
    // Nothing answers there: the demo only has to see that a provider is configured.
    const provider = { OPENAI_API_KEY: 'sk-fake', LLM_BASE_URL: 'http://127.0.0.1:9/v1' };
    const start = (env: Record<string, string> = {}) =>
      startTestPlatform({ VIVA_DATA_DIR: dataDir, ...env }, { demo: true });
    try {
      await (await start()).stop();
      const testOnly = JSON.parse(await readFile(file, 'utf8')) as DemoTenant;

      const live = await start(provider);
      const withLive = JSON.parse(await readFile(file, 'utf8')) as DemoTenant;
      expect(withLive.test).toEqual(testOnly.test);
      expect(withLive.live?.key).toMatch(/^sk_live_/);
      expect(withLive.live?.webhookSecret).toMatch(/^whsec_/);
      // A live endpoint on plain http: allowed on loopback, where the embedded default allows private networks.
      const endpoint = await apiClient(live.url).call(
        'GET',
        `/v1/webhook_endpoints/${withLive.live?.webhookEndpointId}`,
        { key: withLive.live!.key },
      );
      expect(endpoint.body, describeResponse(endpoint)).toMatchObject({
        url: `${live.url}/demo/webhooks`,
        livemode: true,
      });
      const page = await demoBrowser(live.url).open('/demo');
      expect(page.html).not.toMatch(/sk_(test|live)_/);
      await live.stop();

      // The live key is made once: a later start keeps it.
      await (await start(provider)).stop();
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(withLive);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
