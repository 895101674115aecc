const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * Whether a request's `Origin` may use a session token limited to `allowed`: scheme, host and port must
 * match exactly once both are normalised (host lower-cased, a scheme's default port dropped), so
 * `https://acme.example` never admits `https://acme.example.evil.test` or `http://acme.example`.
 */
export function originAllowed(origin: string | undefined, allowed: string[]): boolean {
  // No Origin header: a page can put the token in an Authorization header only through fetch or XHR, and
  // a browser sends Origin on every cross-origin request of those (and on every same-origin non-GET). So a
  // request without one is a same-origin GET (our own join page) or a server holding the token, neither of
  // which the check is for: it stops a token from working inside someone else's page.
  if (origin === undefined) return true;
  // An empty list: the tenant has not restricted where its interviews may be embedded.
  if (allowed.length === 0) return true;
  const normalised = normaliseOrigin(origin);
  if (normalised === null) return false;
  return allowed.some((entry) => normaliseOrigin(entry) === normalised);
}

/**
 * `scheme://host[:port]` in one canonical form, or null for anything that is not an http(s) origin — the
 * literal `null` origin of sandboxed frames and `file:` pages included, so they never match.
 */
export function normaliseOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (!Object.hasOwn(defaultPorts, url.protocol)) return null;
  // An origin has no path, query, fragment or credentials; a value carrying one is not an origin.
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    return null;
  }
  const port = url.port && url.port !== defaultPorts[url.protocol] ? `:${url.port}` : '';
  return `${url.protocol}//${url.hostname.toLowerCase()}${port}`;
}
