/**
 * What a page hosting the widget must let it connect to for LiveKit, in CSP `connect-src` terms: the server's
 * signalling WebSocket, and the same host over HTTP(S), which livekit-client calls to explain a failed join
 * and, on LiveKit Cloud, to pick a region. Empty without LiveKit.
 */
export function liveKitConnectOrigins(liveKitUrl: string | null | undefined): string[] {
  if (!liveKitUrl) return [];
  const url = new URL(liveKitUrl);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  return [`${secure ? 'wss' : 'ws'}://${url.host}`, `${secure ? 'https' : 'http'}://${url.host}`];
}
