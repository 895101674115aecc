import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The candidate's page for e-mailed invites (`join_url`): `<ai-interview>` on a page of its own, loaded
 * from the platform's `/sdk/` like any embedding page would. The token travels in the URL fragment, so it
 * is never in a request line, a server log or a `Referer`; the page moves it into the element and out of the
 * address bar, and keeps it in the tab's own history entry so that a reload resumes the interview.
 *
 * `join_url` is `{public URL}/join`, and the public URL may carry a path (a proxy serving the platform under
 * `/viva`, say), so the page finds the platform beside itself, never at the root of its origin. It imports
 * the widget rather than naming it in a script tag because `/join/` serves it too, one folder deeper.
 */
const widgetScript = `
const platform = new URL(location.pathname.endsWith('/') ? '..' : '.', location.href);
const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? history.state?.token ?? null;
history.replaceState(token ? { token } : null, '', location.pathname + location.search);
const widget = document.querySelector('ai-interview');
if (token) {
  await import(new URL('sdk/ai-interview.js', platform).href);
  widget.apiBase = platform.href;
  widget.sessionToken = token;
} else {
  widget.remove();
  document.getElementById('no-token').hidden = false;
}`;

const widgetPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Your interview</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100dvh; display: grid; place-items: start center; padding: clamp(0px, 4vw, 3rem) 0; box-sizing: border-box; }
  main { width: min(100%, 44rem); }
  ai-interview { display: block; }
  [hidden] { display: none; }
  #no-token { padding: 1.5rem; line-height: 1.5; }
</style>
</head>
<body>
<main>
  <ai-interview></ai-interview>
  <p id="no-token" role="alert" hidden>This interview link is incomplete. Open the link from your invitation
    e-mail again, or ask the company that invited you for a new one.</p>
</main>
<script type="module">${widgetScript}</script>
</body>
</html>
`;

/** Without the widget's build, a plain text interview on the same session API, so no invite link is dead. */
const textPage = readFileSync(new URL('./join-text-page.html', import.meta.url), 'utf8');

/** The CSP sources for the page's inline `<script type="module">`s or `<style>`s: each one's hash. */
function inlineHashes(page: string, element: 'script' | 'style'): string {
  const open = element === 'script' ? '<script type="module">' : '<style>';
  const blocks = page.split(open).slice(1);
  return blocks
    .map((block) => block.slice(0, block.indexOf(`</${element}>`)))
    .map((inline) => `'sha256-${createHash('sha256').update(inline).digest('base64')}'`)
    .join(' ');
}

/**
 * The page's Content-Security-Policy: its own origin only, plus the origins the widget must reach
 * (`connect` — a LiveKit server, say). Only the page's own inline script and style apply, each pinned by
 * its hash: no other inline script, `<style>` or `style` attribute does.
 */
function contentSecurityPolicy(page: string, connect: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${inlineHashes(page, 'script')}`,
    `style-src 'self' ${inlineHashes(page, 'style')}`,
    `connect-src 'self' ${connect.join(' ')}`.trim(),
    "media-src 'self' blob: data:",
    // Tenants' logos live wherever the tenant hosts them.
    "img-src 'self' https: data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface JoinPage {
  html: string;
  contentSecurityPolicy: string;
}

/** The join page to serve: the widget when its build is there, else the text-only fallback. */
export function joinPage(options: { widget: boolean; connectOrigins?: readonly string[] }): JoinPage {
  const html = options.widget ? widgetPage : textPage;
  return { html, contentSecurityPolicy: contentSecurityPolicy(html, options.connectOrigins ?? []) };
}
