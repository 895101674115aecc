import { type Browser, chromium } from 'playwright-core';

/** The flags every test launch uses: no network chatter, no GPU, no first-run screens. */
const baseArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** The system's Chromium (no browser download), headless, with `extraArgs` on top. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: [...baseArgs, ...extraArgs],
  });
}
