/**
 * LiveKit Cloud's domains, as livekit-client tells them (`isCloud`). On one of them, when the project's own
 * host cannot be joined, livekit-client asks it for the project's regions and fails over to a regional host
 * such as `<project>.<region>.production.livekit.cloud`, so the page must allow the whole domain.
 */
const cloudDomains = ['livekit.cloud', 'livekit.run'];

/**
 * What a page hosting the widget must let it connect to for LiveKit, in CSP `connect-src` terms: the server's
 * signalling WebSocket, and the same host over HTTP(S), which livekit-client calls to explain a failed join
 * and, on LiveKit Cloud, to list the regions; on LiveKit Cloud, every host of its domain besides (a `*.`
 * source matches subdomains at any depth). Empty without LiveKit.
 */
export function liveKitConnectOrigins(liveKitUrl: string | null | undefined): string[] {
  if (!liveKitUrl) return [];
  const url = new URL(liveKitUrl);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const [ws, http] = secure ? ['wss', 'https'] : ['ws', 'http'];
  const origins = [`${ws}://${url.host}`, `${http}://${url.host}`];
  const cloud = cloudDomains.find((domain) => url.hostname.endsWith(`.${domain}`));
  if (cloud) origins.push(`${ws}://*.${cloud}`, `${http}://*.${cloud}`);
  return origins;
}
