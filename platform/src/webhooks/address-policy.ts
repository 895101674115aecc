import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a webhook may be sent to. A tenant chooses the URL, so without this policy a webhook
 * would be a request forgery tool: it could reach the cloud metadata service, the database, or anything
 * else on the platform's own network. Only globally routable unicast addresses pass.
 */

type AddressKind =
  | 'public'
  | 'invalid'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'shared'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

const kindOfRange: Record<string, AddressKind> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'shared',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

/** How a refused address is named in an API error. */
const kindInWords: Record<Exclude<AddressKind, 'public'>, string> = {
  invalid: 'an invalid address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  shared: 'a shared (carrier-grade NAT) address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
};

function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 addresses an IPv6 address leads to, for the forms that tunnel or translate to IPv4: a packet
 * to one of them ends up at the embedded IPv4 address, so that is the address to judge. `null` when the
 * IPv6 address embeds nothing.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const p = address.parts as number[];
  switch (address.range()) {
    // NAT64 (64:ff9b::/96) is what a DNS64 resolver hands out on an IPv6-only network, so a public
    // embedded address must stay deliverable. IPv4-translated (::ffff:0:0:0/96) is the same idea.
    case 'rfc6052':
    case 'rfc6145':
      return [ipv4From(p[6]!, p[7]!)];
    case '6to4':
      return [ipv4From(p[1]!, p[2]!)];
    // Teredo names both the relay server and the client's NAT address (stored inverted).
    case 'teredo':
      return [ipv4From(p[2]!, p[3]!), ipv4From(~p[6]! & 0xffff, ~p[7]! & 0xffff)];
    case 'unicast':
      // The deprecated IPv4-compatible form (::a.b.c.d), which ipaddr.js does not single out.
      return p.slice(0, 6).every((part) => part === 0) ? [ipv4From(p[6]!, p[7]!)] : null;
    default:
      return null;
  }
}

function addressKind(ip: string): AddressKind {
  // Only canonical literals: ipaddr.js would also read inet_aton forms such as "127.1" or "0x7f000001".
  if (isIP(ip) === 0) return 'invalid';
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it is.
    address = ipaddr.process(ip);
  } catch {
    return 'invalid';
  }
  if (address.kind() === 'ipv6') {
    const range = (address as ipaddr.IPv6).range();
    // Local-use NAT64 (64:ff9b:1::/48) places the IPv4 address by a site-chosen prefix length.
    if (range === 'rfc6052' && (address as ipaddr.IPv6).parts[2] !== 0) return 'reserved';
    const embedded = embeddedIPv4(address as ipaddr.IPv6);
    if (embedded) {
      const kinds = embedded.map((v4) => kindOfRange[v4.range()] ?? 'reserved');
      return kinds.find((kind) => kind !== 'public') ?? 'public';
    }
  }
  return kindOfRange[address.range()] ?? 'reserved';
}

/** True for any address a webhook must not be sent to, and for anything that is not an IP address. */
export function isForbiddenAddress(ip: string): boolean {
  return addressKind(ip) !== 'public';
}

export type WebhookUrlCheck =
  | { ok: true }
  | {
      ok: false;
      /** Why, for the tenant. */
      reason: string;
      /**
       * When the host's name resolved to a forbidden address: which one, for the platform's log only. Told
       * to the tenant, it would map the platform's internal DNS (what `db.internal` resolves to, and what
       * kind of address that is).
       */
      resolved?: { address: string; kind: string };
    };

/** An endpoint is created without waiting long on a slow resolver; the connect-time check still applies. */
const lookupTimeoutMs = 5_000;

async function resolveAll(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), lookupTimeoutMs);
  });
  const resolved = lookup(host, { all: true }).then(
    (addresses) => addresses.map((a) => a.address),
    () => [],
  );
  try {
    return await Promise.race([resolved, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A loopback literal (127.0.0.0/8, ::1, ::ffff:127.0.0.1) or `localhost`: a host that is this machine. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) return addressKind(host) === 'loopback';
  const name = host.replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function refuse(reason: string): WebhookUrlCheck {
  return { ok: false, reason };
}

const mustBePublic = 'webhook URLs must be publicly reachable.';

/**
 * Checks a webhook URL when an endpoint is created or changed. A host that does not resolve yet is
 * accepted: DNS may be set up after the endpoint, and every delivery checks the address it connects to.
 */
export async function checkWebhookUrl(
  url: string,
  options: { livemode: boolean; allowPrivateNetworks: boolean },
): Promise<WebhookUrlCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('The URL is not a valid absolute URL.');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return refuse('Webhook URLs must use https (or http in test mode).');
  }
  // Plain http on loopback never crosses a network: allowed in live mode only where private networks are
  // (the embedded default on one machine, where the demo's receiver is), never on a server.
  const onLoopback = options.allowPrivateNetworks && isLoopbackHost(parsed.hostname);
  if (options.livemode && parsed.protocol !== 'https:' && !onLoopback) {
    return refuse('Live mode webhook URLs must use https.');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return refuse('Webhook URLs must not contain credentials; verify the webhook-signature header instead.');
  }
  // An empty fragment ("…/hook#") leaves `hash` empty, so look at the text itself.
  if (url.includes('#')) return refuse('Webhook URLs must not contain a fragment (#).');
  if (options.allowPrivateNetworks) return { ok: true };

  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    const kind = addressKind(host);
    return kind === 'public'
      ? { ok: true }
      : refuse(`The URL's host is ${kindInWords[kind]} (${host}); ${mustBePublic}`);
  }
  const name = host.replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return refuse(`The URL's host is a loopback name (${host}); ${mustBePublic}`);
  }
  for (const address of await resolveAll(host)) {
    const kind = addressKind(address);
    if (kind !== 'public') {
      return {
        ok: false,
        reason: `The URL's host resolves to a non-public address; ${mustBePublic}`,
        resolved: { address, kind },
      };
    }
  }
  return { ok: true };
}
