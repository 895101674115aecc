import { typeAnswersUntil } from '@viva/example-ats-embed/test/support/candidate.ts';
import type { Locator, Page } from 'playwright-core';

/**
 * Everything that goes wrong in a page, as it happens: console errors, uncaught exceptions and Content
 * Security Policy violations (a blocked script, style or request), each with the page it happened on. Call
 * before the first navigation; the list keeps growing for the page's whole life.
 */
export async function watchPageProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    const source = message.location().url;
    // The browser asks for the origin's favicon by itself: a page without one has done nothing wrong.
    if (message.type() !== 'error' || source.endsWith('/favicon.ico')) return;
    problems.push(`console error on ${page.url()}: ${message.text()}${source ? ` (${source})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  // A violation is a DOM event, not a console message Playwright types: the page reports it to us.
  await page.exposeFunction('vivaReportCspViolation', (violation: string) =>
    problems.push(`CSP violation on ${page.url()}: ${violation}`),
  );
  // A string: it runs in the page, and this package's types are Node's, not the DOM's.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    window.vivaReportCspViolation(
      e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber,
    );
  }, true);`);
  return problems;
}

/**
 * A candidate taking an interview through `<ai-interview>` by text, driven through what they see: the
 * widget's parts (`[part~=…]`; Playwright's CSS reaches into its open shadow root). Unlike the ats-embed
 * example's helpers, it reads nothing from the host page, so it works on a page with no script of its own.
 */
export function widgetCandidate(page: Page) {
  const widget = page.locator('ai-interview');
  const completedScreen = widget.locator('[part~="completed"]');

  /** What the widget shows right now, for failure messages. */
  async function describe(): Promise<string> {
    const shown = await widget
      .locator('[part~="body"]')
      .textContent({ timeout: 1_000 })
      .then((text) => text?.replace(/\s+/g, ' ').trim())
      .catch(() => '(no widget body)');
    return `the widget on ${page.url()} shows "${shown}"`;
  }

  /** The pre-check: accept the recording notice, then Start. */
  async function consentAndStart(): Promise<void> {
    await widget.locator('[part~="pre-check"]').waitFor();
    await widget.locator('[part~="consent-checkbox"]').check();
    await widget.locator('[part~="start-button"]').click();
  }

  /**
   * Types the next of `answers` at every turn (the last one again if the interviewer asks more) until the
   * completed screen; returns what was sent, in order.
   */
  function answerByTextUntilCompleted(answers: string[], maxAnswers = 10): Promise<string[]> {
    return typeAnswersUntil(widget, completedScreen, answers, { describe, maxAnswers });
  }

  return { widget, completedScreen, describe, consentAndStart, answerByTextUntilCompleted };
}

/** The visible text of `locator`, spaces collapsed: what a reader sees, and what a failure message shows. */
export async function textOf(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, table cells apart, as a reader sees it.
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}
