import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

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

export async function openCandidatePage(
  browser: Browser,
  url: string,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<CandidatePage> {
  const context = await browser.newContext(options);
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
  const sent = await typeAnswersUntil(candidate.widget, completed(candidate), [answer], {
    describe: () => candidate.describe(),
    maxAnswers,
  });
  return sent.length;
}

/**
 * Types the next of `answers` into `widget` at every turn (the last one again if the interviewer asks
 * more) until `done` shows; returns what was sent, in order. Reads only through locators, never by running
 * a script in the page, so it also works on a page whose CSP forbids that.
 */
export async function typeAnswersUntil(
  widget: Locator,
  done: Locator,
  answers: string[],
  options: { describe: () => Promise<string>; maxAnswers?: number },
): Promise<string[]> {
  const maxAnswers = options.maxAnswers ?? 10;
  const input = widget.locator('[part~="answer-input"]');
  const sendable = widget.locator('[part~="send-button"]:not([disabled])');
  const sent: string[] = [];
  for (let look = 0; look < maxAnswers * 5 && sent.length <= maxAnswers; look++) {
    await done.or(input).first().waitFor();
    if (await done.isVisible()) return sent;
    const answer = answers[Math.min(sent.length, answers.length - 1)]!;
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
    sent.push(answer);
    // The widget clears the box once the platform has the answer: the next turn starts from there.
    await expect
      .poll(
        async () =>
          (await done.isVisible()) || (await input.inputValue({ timeout: 1_000 }).catch(() => '')) === '',
        { timeout: 30_000, message: 'the answer box cleared, once the platform had the answer' },
      )
      .toBe(true);
  }
  throw new Error(`Still not completed after ${maxAnswers} answers: ${await options.describe()}`);
}
