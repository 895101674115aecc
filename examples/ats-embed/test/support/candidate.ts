import type { Browser, Locator, Page } from 'playwright-core';

/**
 * A candidate on the ATS page, driven through what they see: the page's own status, and the widget's parts
 * (`[part~=…]`; Playwright's CSS reaches into the widget's open shadow root).
 */
export interface CandidatePage {
  page: Page;
  widget: Locator;
  /** The bodies of the page's answers from its own server's token endpoint: what the browser was handed. */
  handedOver: Promise<string>[];
  /** What went wrong in the page so far (console errors, uncaught exceptions), for failure messages. */
  problems: string[];
  /** The page's own status line and, if any, the problem it shows: for failure messages. */
  describe(): Promise<string>;
  close(): Promise<void>;
}

export async function openCandidatePage(browser: Browser, url: string): Promise<CandidatePage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const handedOver: Promise<string>[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/interview-session') handedOver.push(response.text());
  });
  await page.goto(url);
  return {
    page,
    widget: page.locator('ai-interview'),
    handedOver,
    problems,
    async describe() {
      const body = page.locator('body');
      const state = `${await body.getAttribute('data-interview')}, error ${await body.getAttribute('data-interview-error')}`;
      const status = await page.locator('#interview-status').textContent();
      const problem = await page.locator('#interview-problem').textContent();
      const shown = await page
        .locator('ai-interview [part~="body"]')
        .textContent({ timeout: 1000 })
        .then((text) => text?.replace(/\s+/g, ' ').trim())
        .catch(() => '(nothing)');
      return `page state ${state}, status "${status}", problem "${problem}", widget shows "${shown}"; ${problems.join('; ')}`;
    },
    close: () => context.close(),
  };
}

/** The pre-check: accept the recording notice, then Start. */
export async function consentAndStart(candidate: CandidatePage): Promise<void> {
  const { page, widget } = candidate;
  await page.locator('body[data-interview="ready"]').waitFor();
  await widget.locator('[part~="consent-checkbox"]').check();
  await widget.locator('[part~="start-button"]').click();
}

export function completed(candidate: CandidatePage): Locator {
  return candidate.page.locator('body[data-interview="completed"]');
}

/** Types `answer` at every turn until the interview is over; returns how many answers were sent. */
export async function answerByTextUntilCompleted(
  candidate: CandidatePage,
  answer: string,
  maxAnswers = 10,
): Promise<number> {
  const { widget } = candidate;
  const done = completed(candidate);
  const input = widget.locator('[part~="answer-input"]');
  const sendable = widget.locator('[part~="send-button"]:not([disabled])');
  let sent = 0;
  for (let look = 0; look < maxAnswers * 5 && sent <= maxAnswers; look++) {
    await done.or(input).first().waitFor();
    if (await done.isVisible()) return sent;
    // After the last answer the box stays while the interviewer says goodbye, then goes: look again then.
    const filled = await input.fill(answer, { timeout: 2_000 }).then(
      () => true,
      () => false,
    );
    if (!filled) continue;
    // Enabled once it is the candidate's turn (the interviewer has finished speaking).
    await done.or(sendable).first().waitFor();
    if (await done.isVisible()) return sent;
    await sendable.click();
    sent += 1;
    // The widget clears the box once the platform has the answer: the next turn starts from there.
    // (A string: it runs in the page, and this package's types are Node's, not the DOM's.)
    await candidate.page.waitForFunction(`(() => {
      const box = document.querySelector('ai-interview')?.shadowRoot?.querySelector('[part~="answer-input"]');
      return document.body.dataset.interview === 'completed' || !box || box.value === '';
    })()`);
  }
  throw new Error(`Still not completed after ${maxAnswers} answers: ${await candidate.describe()}`);
}
