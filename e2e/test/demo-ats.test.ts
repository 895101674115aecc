import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '@viva/example-ats-embed/test/support/chromium.ts';
import { ensureWidgetBuilt } from '@viva/example-ats-embed/test/support/widget-build.ts';
import { loadConfig } from '@viva/platform/src/config/config.ts';
import { type RunningPlatform, startPlatform } from '@viva/platform/src/platform.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf, watchPageProblems, widgetCandidate } from '../support/widget-candidate.ts';

/**
 * The demo ATS as a newcomer meets it after `pnpm start`: the platform on the embedded default (PGlite, local
 * blobs, no Redis) serving `/demo`, and one person in headless Chromium. As the recruiter they create a job
 * and invite a candidate in the demo's forms; as the candidate they take the interview by text through the
 * `<ai-interview>` widget on the career page; as the recruiter again they read the transcript, the offline
 * scorecard and the webhook deliveries on the interview view. Test mode: the offline interviewer and
 * scorer, no provider, no cost.
 */
const jobTitle = 'Warehouse Fleet Engineer';
const questions = [
  'Tell me about a robot you helped ship, and what your own part in it was.',
  'How do you decide what to work on first when everything seems urgent?',
];
// Twelve words or more each: the offline interviewer asks a follow-up after a shorter answer.
const answers = [
  'I wrote the motion planner for our pallet robot and tuned it on the warehouse floor with the operators every week.',
  'I rank the work by how many customers it blocks, agree the order with my team, and write down what we postponed.',
];

let dataDir: string;
let platform: RunningPlatform;
let browser: Browser;

beforeAll(async () => {
  const sdkDir = await ensureWidgetBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'viva-e2e-demo-'));
  // `pnpm start` with nothing configured (platform/src/main.ts), on a free port and a fresh data folder. The
  // environment is spelled out, so a DATABASE_URL or provider key on this machine cannot change the setup.
  const config = loadConfig({ PORT: '0', VIVA_DATA_DIR: dataDir, VIVA_SDK_DIR: sdkDir, LOG_LEVEL: 'warn' });
  platform = await startPlatform(config, { demo: !config.databaseUrl });
  if (platform.services.db.kind !== 'embedded' || !platform.demo) {
    throw new Error('This test runs the embedded default, with the demo ATS, as `pnpm start` does.');
  }
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await platform?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A failure says where the browser was, what the page showed and what went wrong in it. */
async function explain(error: unknown, page: Page, problems: string[]): Promise<never> {
  const shown = await textOf(page.locator('body')).catch(() => '(no page)');
  const widget =
    (await page.locator('ai-interview').count()) > 0 ? `\nand ${await widgetCandidate(page).describe()}` : '';
  if (error instanceof Error) {
    error.message += `\n\nAt ${page.url()} the page shows: ${shown}${widget}\nProblems in the page: ${
      problems.length > 0 ? problems.join('\n') : 'none'
    }`;
  }
  throw error;
}

/** The same event delivered by Viva (its delivery log) and received by the demo, signature checked. */
const deliveredAndVerified = (type: string) => {
  const event = type.replace('.', '\\.');
  return new RegExp(
    `Delivered by Viva.* ${event} (evt_\\w+) succeeded .*Received and verified by the demo.* ${event} \\1 verified`,
  );
};

describe('the demo ATS in a browser', () => {
  it('creates a job, invites a candidate who takes the interview through the widget, and shows the result', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = await watchPageProblems(page);
    try {
      // The recruiter creates a job: their own title and questions, the form's default rubric.
      await page.goto(`${platform.url}/demo`);
      await page.getByLabel('Title', { exact: true }).fill(jobTitle);
      await page.getByLabel('Questions').fill(questions.join('\n'));
      await page.getByRole('button', { name: 'Create job' }).click();
      await page.waitForURL(/\/demo\?job=job_/);
      expect(await textOf(page.locator('.alert.notice'))).toBe(
        `Job ${jobTitle} created. Invite a candidate for it.`,
      );

      // ...then invites a candidate for it (the job just created is the one selected).
      expect(await page.getByLabel('Job', { exact: true }).locator('option:checked').textContent()).toBe(
        jobTitle,
      );
      await page.getByLabel("Candidate's name").fill('Ada Lovelace');
      await page.getByLabel('E-mail').fill('ada@example.com');
      await page.getByRole('button', { name: 'Invite' }).click();
      await page.waitForURL(/\/demo\?invited=int_/);
      const interviewId = new URL(page.url()).searchParams.get('invited')!;
      expect(await textOf(page.locator('.alert.notice'))).toContain('Interview scheduled for Ada Lovelace.');

      // The candidate, on the company's career page, takes the interview by text through the widget.
      await page.getByRole('link', { name: 'Open the career page' }).click();
      await page.waitForURL(`${platform.url}/demo/careers/${interviewId}`);
      expect(await textOf(page.locator('h1'))).toBe(jobTitle);
      const candidate = widgetCandidate(page);
      await candidate.consentAndStart();
      expect(await candidate.answerByTextUntilCompleted(answers)).toEqual(answers);
      await candidate.completedScreen.waitFor();
      expect(problems, 'the career page, from loading to the completed screen').toEqual([]);

      // The recruiter opens the interview: the transcript has the questions and every answer typed, in order.
      await page.getByRole('link', { name: 'Back to the recruiter view' }).click();
      await page.waitForURL(`${platform.url}/demo/interviews/${interviewId}`);
      expect(await textOf(page.locator('.lead'))).toBe(`${jobTitle} · completed`);
      const transcript = page.locator('section[aria-labelledby="transcript"]');
      expect(await transcript.locator('li.candidate').allInnerTexts()).toEqual(
        answers.map((answer) => expect.stringContaining(answer)),
      );
      expect(await transcript.locator('li.interviewer').allInnerTexts()).toEqual(
        expect.arrayContaining(questions.map((question) => expect.stringContaining(question))),
      );
      expect(await textOf(page.locator('section[aria-labelledby="recording"]'))).toContain(
        'No audio: this interview was taken by text',
      );

      // Scoring and deliveries happen in the background: the recruiter refreshes until they are there.
      const afterRefresh = (section: string) => async () => {
        await page.reload();
        return textOf(page.locator(`section[aria-labelledby="${section}"]`));
      };
      const aMinute = { timeout: 60_000, interval: 500 };
      await expect
        .poll(afterRefresh('scorecard'), { ...aMinute, message: 'the offline scorecard, once scored' })
        .toMatch(/^Scorecard \d+ \/ \d+ .*Scored by offline /);
      for (const type of ['interview.completed', 'scorecard.completed']) {
        await expect
          .poll(afterRefresh('webhooks'), { ...aMinute, message: `${type}, delivered and verified` })
          .toMatch(deliveredAndVerified(type));
      }
      expect(problems, 'every page of the demo, start to finish').toEqual([]);
    } catch (error) {
      await explain(error, page, problems);
    } finally {
      await context.close();
    }
  });
});
