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
  const signed = (timestamp: number, secret = demo.webhookSecret!) => ({
    'webhook-id': 'evt_0000000000000000000000000a',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader([secret], 'evt_0000000000000000000000000a', timestamp, body),
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('keeps the endpoint and its secret beside the demo key', async () => {
    const file = JSON.parse(
      await readFile(join(test.platform.services.config.dataDir, 'demo-tenant.json'), 'utf8'),
    ) as DemoTenant;
    expect(file).toMatchObject({ tenantId: demo.tenantId, webhookEndpointId: expect.stringMatching(/^we_/) });
    expect(file.webhookSecret).toMatch(/^whsec_/);
    const endpoint = await api.call('GET', `/v1/webhook_endpoints/${file.webhookEndpointId}`, {
      key: demo.testKey,
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
        `/v1/webhook_endpoints/${kept.webhookEndpointId}`,
        {
          key: kept.testKey,
        },
      );
      expect(endpoint.body, describeResponse(endpoint)).toMatchObject({ url: `${second.url}/demo/webhooks` });
      await second.stop();

      // A demo-tenant.json from before the demo ATS: the tenant and key only.
      await writeFile(file, JSON.stringify({ tenantId: kept.tenantId, testKey: kept.testKey }));
      const third = await start();
      const upgraded = JSON.parse(await readFile(file, 'utf8')) as DemoTenant;
      expect(upgraded).toMatchObject({ tenantId: kept.tenantId, testKey: kept.testKey });
      expect(upgraded.webhookEndpointId).toMatch(/^we_/);
      expect(upgraded.webhookEndpointId).not.toBe(kept.webhookEndpointId);
      expect(upgraded.webhookSecret).toMatch(/^whsec_/);
      await third.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
