import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isForbiddenAddress } from '../../src/webhooks/address-policy.ts';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['fc00::1', 'unique local'],
    ['fd00:ec2::254', 'AWS metadata over IPv6 (unique local)'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.2.1', 'documentation'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['240.0.0.1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['100::1', 'discard'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::7f00:1', 'IPv4-compatible loopback'],
    ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['64:ff9b:1::a00:1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:a00:1::', '6to4 of a private address'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo to a loopback client'],
    ['', 'empty'],
    ['localhost', 'a name, not an address'],
    ['127.1', 'a shorthand IPv4 form'],
    ['0x7f000001', 'a hexadecimal IPv4 form'],
    ['1.2.3.4.5', 'not an address'],
  ])('refuses %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.215.14',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:81c::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  const test = { livemode: false, allowPrivateNetworks: false };
  const live = { livemode: true, allowPrivateNetworks: false };
  const privateAllowed = { livemode: false, allowPrivateNetworks: true };

  it('accepts a public https URL in both modes, and http in test mode', async () => {
    expect(await checkWebhookUrl('https://93.184.215.14/hooks/viva?x=1', live)).toEqual({ ok: true });
    expect(await checkWebhookUrl('https://93.184.215.14:8443/hooks', test)).toEqual({ ok: true });
    expect(await checkWebhookUrl('http://93.184.215.14/hooks', test)).toEqual({ ok: true });
    expect(await checkWebhookUrl('https://[2606:4700:4700::1111]/hooks', live)).toEqual({ ok: true });
  });

  it('refuses http in live mode', async () => {
    expect(await checkWebhookUrl('http://93.184.215.14/hooks', live)).toEqual({
      ok: false,
      reason: 'Live mode webhook URLs must use https.',
    });
    // Even to a private network it may reach: only loopback traffic never crosses a network.
    const livePrivate = { livemode: true, allowPrivateNetworks: true };
    expect(await checkWebhookUrl('http://10.0.0.7/hooks', livePrivate)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('http://localhost.example.com/hooks', livePrivate)).toMatchObject({
      ok: false,
    });
  });

  it('takes http to loopback in live mode where private networks are allowed, and only there', async () => {
    const livePrivate = { livemode: true, allowPrivateNetworks: true };
    for (const url of [
      'http://127.0.0.1:4000/demo/webhooks',
      'http://[::1]:9000/hooks',
      'http://[::ffff:127.0.0.1]/hooks',
      'http://localhost:9000/hooks',
      'http://receiver.localhost/hooks',
    ]) {
      expect(await checkWebhookUrl(url, livePrivate), url).toEqual({ ok: true });
      expect(await checkWebhookUrl(url, live), url).toMatchObject({ ok: false });
    }
  });

  it.each([
    ['https://user:pass@93.184.215.14/hooks', /credentials/],
    ['https://token@93.184.215.14/hooks', /credentials/],
    ['https://93.184.215.14/hooks#section', /fragment/],
    ['https://93.184.215.14/hooks#', /fragment/],
    ['ftp://93.184.215.14/hooks', /https/],
    ['/hooks', /not a valid absolute URL/],
    ['not a url', /not a valid absolute URL/],
  ])('refuses %s', async (url, reason) => {
    const checked = await checkWebhookUrl(url, privateAllowed);
    expect(checked.ok, JSON.stringify(checked)).toBe(false);
    expect(checked.ok ? '' : checked.reason).toMatch(reason);
  });

  it.each([
    [
      'https://10.0.0.1/hooks',
      "The URL's host is a private address (10.0.0.1); webhook URLs must be publicly reachable.",
    ],
    [
      'https://127.0.0.1:8080/',
      "The URL's host is a loopback address (127.0.0.1); webhook URLs must be publicly reachable.",
    ],
    [
      'https://[::1]/',
      "The URL's host is a loopback address (::1); webhook URLs must be publicly reachable.",
    ],
    [
      'https://[::ffff:127.0.0.1]/',
      "The URL's host is a loopback address (::ffff:7f00:1); webhook URLs must be publicly reachable.",
    ],
    [
      'http://169.254.169.254/latest/meta-data/',
      "The URL's host is a link-local address (169.254.169.254); webhook URLs must be publicly reachable.",
    ],
    [
      'https://100.64.1.1/',
      "The URL's host is a shared (carrier-grade NAT) address (100.64.1.1); webhook URLs must be publicly reachable.",
    ],
    [
      'https://[fd00:ec2::254]/',
      "The URL's host is a private address (fd00:ec2::254); webhook URLs must be publicly reachable.",
    ],
    [
      'https://2130706433/',
      "The URL's host is a loopback address (127.0.0.1); webhook URLs must be publicly reachable.",
    ],
    [
      'https://localhost:3000/',
      "The URL's host is a loopback name (localhost); webhook URLs must be publicly reachable.",
    ],
    [
      'https://api.localhost/',
      "The URL's host is a loopback name (api.localhost); webhook URLs must be publicly reachable.",
    ],
    [
      'https://LOCALHOST./',
      "The URL's host is a loopback name (localhost.); webhook URLs must be publicly reachable.",
    ],
  ])('refuses %s with a reason fit for the API', async (url, reason) => {
    expect(await checkWebhookUrl(url, test)).toEqual({ ok: false, reason });
  });

  it('allows private addresses and loopback names when private networks are allowed', async () => {
    for (const url of [
      'http://127.0.0.1:3000/hooks',
      'http://localhost:3000/hooks',
      'https://10.0.0.1/',
      'http://[::1]/',
    ]) {
      expect(await checkWebhookUrl(url, privateAllowed), url).toEqual({ ok: true });
    }
  });

  it('still wants https in live mode when private networks are allowed', async () => {
    expect(
      await checkWebhookUrl('http://10.0.0.1/', { livemode: true, allowPrivateNetworks: true }),
    ).toMatchObject({
      ok: false,
    });
  });

  it('accepts a name that does not resolve (yet): every delivery checks again', async () => {
    expect(await checkWebhookUrl('https://no-such-host.invalid/hooks', live)).toEqual({ ok: true });
  });

  it("refuses a name that resolves to a non-public address (this machine's own name), without saying which", async (ctx) => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    // Usually loopback or a private interface; skipped where the machine's name is public or unknown.
    const forbidden = addresses.map((a) => a.address).filter(isForbiddenAddress);
    if (forbidden.length === 0) ctx.skip();
    const checked = await checkWebhookUrl(`https://${name}/hooks`, test);
    if (checked.ok)
      throw new Error(`accepted https://${name}/hooks, which resolves to ${forbidden.join(', ')}`);
    // The tenant learns neither the address nor its kind: an oracle for the platform's internal DNS otherwise.
    expect(checked.reason).toBe(
      "The URL's host resolves to a non-public address; webhook URLs must be publicly reachable.",
    );
    for (const address of addresses) expect(checked.reason).not.toContain(address.address);
    // The platform's log gets both.
    expect(forbidden, JSON.stringify(checked)).toContain(checked.resolved?.address);
    expect(checked.resolved?.kind, JSON.stringify(checked)).not.toBe('public');
  });
});
