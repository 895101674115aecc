import { createHash } from 'node:crypto';
import type { DemoApiError } from './demo-api.ts';
import { Html, html } from './html.ts';

/** The one stylesheet of every demo page, inline and ours (so not escaped): system font, a neutral palette. */
const stylesheet = `
:root { color-scheme: light; --ink: #1f2933; --muted: #5f6b7a; --line: #e3e7ec; --panel: #fff; --bg: #f5f7fa;
  --accent: #2f5bd3; --accent-ink: #fff; --ok: #1d7a46; --warn: #9a5b00; --bad: #b42318; --radius: 8px; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid #9db4f0; outline-offset: 2px; }
.wrap { max-width: 1080px; margin: 0 auto; padding: 0 24px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 1; }
.topbar { background: #17202b; color: #fff; }
.topbar .wrap { display: flex; align-items: center; justify-content: space-between; height: 56px; }
.brand { color: #fff; font-weight: 650; text-decoration: none; }
.brand span { color: #a9b4c2; font-weight: 400; margin-left: 6px; }
.topbar nav a { color: #d5dce5; margin-left: 20px; text-decoration: none; } .topbar nav a:hover { color: #fff; }
main.wrap { padding-top: 28px; padding-bottom: 48px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 0 0 14px; } h3 { font-size: 16px; margin: 18px 0 8px; }
.lead { color: var(--muted); margin: 0 0 24px; max-width: 760px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 20px; align-items: start; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 20px 22px; margin-bottom: 20px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
.hint { color: var(--muted); font-weight: 400; font-size: 13px; }
input, textarea, select { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid #c9d1db; border-radius: 6px; background: #fff; }
textarea { min-height: 96px; resize: vertical; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0; padding: 4px 14px 14px; }
legend { font-weight: 600; padding: 0 6px; }
.row { display: grid; grid-template-columns: 1fr 110px; gap: 12px; }
details summary { cursor: pointer; font-weight: 600; margin-top: 14px; }
button { font: inherit; font-weight: 600; border: 0; border-radius: 6px; padding: 9px 18px; background: var(--accent);
  color: var(--accent-ink); cursor: pointer; margin-top: 16px; }
button.secondary { background: #e8edf5; color: var(--ink); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 9px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600; background: #eef1f5; color: var(--muted); }
.badge.good { background: #e3f4ea; color: var(--ok); } .badge.warn { background: #fdf0dc; color: var(--warn); }
.badge.bad { background: #fde7e5; color: var(--bad); } .badge.info { background: #e6edfc; color: var(--accent); }
.alert { border-radius: 6px; padding: 12px 14px; margin: 0 0 18px; border: 1px solid; }
.alert.error { background: #fdf1f0; border-color: #f3c3be; color: #7a1a12; }
.alert.notice { background: #eff6f1; border-color: #bfe0cb; color: #174d30; }
.alert.warn { background: #fdf6ea; border-color: #f0d7a8; color: #6b4100; }
.alert p { margin: 4px 0; } .alert ul { margin: 6px 0 0; padding-left: 20px; }
.muted { color: var(--muted); } .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.actions a { margin-right: 12px; white-space: nowrap; }
.turns { list-style: none; padding: 0; margin: 0; }
.turns li { padding: 10px 0; border-bottom: 1px solid var(--line); }
.turns .who { font-weight: 600; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.turns .candidate .who { color: var(--accent); }
.score { font-size: 34px; font-weight: 700; }
blockquote { margin: 6px 0; padding: 4px 12px; border-left: 3px solid #c9d1db; color: #3a4654; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
footer { color: var(--muted); font-size: 13px; padding-top: 16px; padding-bottom: 32px; }
body.career { background: #fff; }
.career .demo-bar { background: #fff7e0; color: #5c4400; font-size: 13px; padding: 6px 0; border-bottom: 1px solid #f0e0b0; }
.career .demo-bar .wrap { display: flex; justify-content: space-between; }
.career-head { border-bottom: 1px solid var(--line); }
.career-head .wrap { display: flex; align-items: center; gap: 10px; height: 68px; font-weight: 700; font-size: 18px; }
.logo { width: 30px; height: 30px; border-radius: 7px; background: linear-gradient(135deg, #ff7a45, #d9363e); }
.hero { background: linear-gradient(180deg, #fff4ee, #fff); padding: 40px 0 28px; }
.hero p { color: var(--muted); max-width: 720px; }
.interview-slot { margin: 12px 0 32px; }
.widget-waiting { display: none; border: 1px dashed #c9d1db; border-radius: 12px; padding: 8px 20px; }
ai-interview:not(:defined) + .widget-waiting { display: block; }
`;

// The empty icon: without one the browser asks for /favicon.ico, a 404 that is a console error on every page.
const head = (title: string) => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${new Html(stylesheet)}</style>
</head>`;

/** A page of the demo ATS itself (the recruiter's side), with its top bar and footer. */
export function atsPage(title: string, main: Html): Html {
  return html`${head(`${title} · Demo ATS`)}
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="topbar"><div class="wrap">
  <a class="brand" href="/demo">Demo ATS<span>powered by Viva</span></a>
  <nav aria-label="Demo"><a href="/demo">Recruiter</a><a href="/docs">API reference</a></nav>
</div></header>
<main id="main" class="wrap">${main}</main>
<footer class="wrap">This demo plays an applicant tracking system. Every page is rendered on the server from
Viva's public REST API, called with a secret key of the demo tenant, which never reaches your browser. With no
AI provider configured it works in test mode: the offline interviewer and scorer, typed answers, no provider
cost. With one, in live mode: the provider interviews and scores, and the candidate may answer by voice.</footer>
</body>
</html>`;
}

/** A page of the fake company's career site, where the candidate takes the interview. */
export function careerShell(title: string, main: Html, recruiterLink: string): Html {
  return html`${head(title)}
<body class="career">
<a class="skip" href="#main">Skip to content</a>
<div class="demo-bar" role="note"><div class="wrap"><span>Demo: the career page of a company using the
Demo ATS, as the candidate sees it.</span><a href="${recruiterLink}">Back to the recruiter view</a></div></div>
<header class="career-head"><div class="wrap"><span class="logo" aria-hidden="true"></span>Acme Robotics</div></header>
<main id="main">${main}</main>
<footer class="wrap">© Acme Robotics, a company that does not exist.</footer>
</body>
</html>`;
}

/** An API failure on the page: the problem's detail and each field error, never a stack. */
export function errorBox(error: DemoApiError): Html {
  return html`<div class="alert error" role="alert">
  <p><strong>The API refused this (${error.status}${error.code ? ` ${error.code}` : ''}):</strong> ${error.detail}</p>
  ${
    error.fieldErrors.length > 1
      ? html`<ul>${error.fieldErrors.map((e) => html`<li><span class="mono">${e.pointer}</span> ${e.detail}</li>`)}</ul>`
      : null
  }
  ${error.requestId ? html`<p class="muted mono">request ${error.requestId}</p>` : null}
</div>`;
}

/** The CSP source of the one inline `<style>` the demo's pages carry: its hash. */
const stylesheetHash = `'sha256-${createHash('sha256').update(stylesheet).digest('base64')}'`;

/**
 * Scripts only from this origin (the widget's bundle), no inline script; of inline styles, only our own
 * stylesheet, pinned by its hash (the widget's are constructed style sheets, which need nothing); media from this origin and the recording links' hosts; connections to this origin
 * and `connectOrigins` (the LiveKit server the widget joins); never framed.
 */
export function pageSecurityPolicy(
  mediaOrigins: readonly string[] = [],
  connectOrigins: readonly string[] = [],
): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${stylesheetHash}`,
    "img-src 'self' https: data:",
    `connect-src 'self'${connectOrigins.map((o) => ` ${o}`).join('')}`,
    `media-src 'self' blob: data:${mediaOrigins.map((o) => ` ${o}`).join('')}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const statusTone: Record<string, string> = {
  scheduled: 'info',
  in_progress: 'warn',
  completed: 'good',
  expired: 'bad',
  canceled: 'bad',
  pending: 'warn',
  succeeded: 'good',
  failed: 'bad',
  verified: 'good',
};

/** A status as a coloured label; the word itself carries the meaning, the colour only repeats it. */
export function badge(status: string): Html {
  return html`<span class="badge ${statusTone[status] ?? ''}">${status.replace('_', ' ')}</span>`;
}

/** `2026-11-22 21:30 UTC`: one unambiguous form on every page. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
