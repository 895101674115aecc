import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@viva/platform/src/config/config.ts';
import { type RunningPlatform, startPlatform } from '@viva/platform/src/platform.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAtsServer, exampleJob } from '../server.ts';
import { vivaApi } from '../viva-api.ts';
import {
  answerByTextUntilCompleted,
  completed,
  consentAndStart,
  openCandidatePage,
} from './support/candidate.ts';
import { launchChromium } from './support/chromium.ts';
import { ensureWidgetBuilt } from './support/widget-build.ts';

/**
 * The example as its README runs it: the platform on the embedded default with its demo tenant (what
 * `pnpm start` gives), the ATS server with the demo's test key, and a candidate in headless Chromium.
 */
let platform: RunningPlatform;
let dataDir: string;
let apiKey: string;
let ats: Server;
let atsUrl: string;
let browser: Browser;

const answer =
  'I listened to the whole story first, apologised for our mistake, fixed the order the same day and called back to check.';

beforeAll(async () => {
  const sdkDir = await ensureWidgetBuilt();
  dataDir = await mkdtemp(join(tmpdir(), 'viva-ats-embed-'));
  platform = await startPlatform(
    loadConfig({ PORT: '0', VIVA_DATA_DIR: dataDir, VIVA_SDK_DIR: sdkDir, LOG_LEVEL: 'silent' }),
    { demo: true },
  );
  // Where the README's command reads the demo tenant's test key from.
  apiKey = JSON.parse(await readFile(join(dataDir, 'demo-tenant.json'), 'utf8')).test.key;
  ats = createAtsServer({ apiKey, apiBase: platform.url });
  ats.listen(0, '127.0.0.1');
  await once(ats, 'listening');
  atsUrl = `http://127.0.0.1:${(ats.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  ats?.close();
  await platform?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function viva<T>(path: string): Promise<T> {
  const res = await fetch(`${platform.url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const text = await res.text();
  expect(res.status, `GET ${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

/** An interview scheduled by the ATS's back office, as a recruiter would, for a page to open by id. */
async function scheduleOwnInterview(name: string): Promise<string> {
  const api = vivaApi(platform.url, apiKey);
  const job = await api.createJob(
    { title: 'Warehouse Lead', questions: [{ text: 'Why this role?' }] },
    'job:warehouse-lead',
  );
  const candidate = await api.createCandidate({ name }, `candidate:${name}`);
  const interview = await api.scheduleInterview(job.id, candidate.id, `interview:warehouse-lead:${name}`);
  return interview.id;
}

async function cancel(interviewId: string): Promise<void> {
  const res = await fetch(`${platform.url}/v1/interviews/${interviewId}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(res.status, await res.text()).toBe(200);
}

/** The WCAG contrast ratio of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r = 0, g = 0, bl = 0] = (colour.match(/\d+(\.\d+)?/g) ?? []).map((c) => {
      const s = Number(c) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

describe('ats-embed', () => {
  it('lets a candidate take a text interview on the ATS page, holding only a session token', async () => {
    const candidate = await openCandidatePage(browser, `${atsUrl}/`);
    try {
      await candidate.page.locator('body[data-interview="ready"]').waitFor();
      // The ATS's brand colour, set on the element, reaches the widget's buttons.
      await expect(
        candidate.widget
          .locator('[part~="start-button"]')
          .evaluate((button) => button.ownerDocument.defaultView?.getComputedStyle(button).backgroundColor),
      ).resolves.toBe('rgb(11, 110, 79)');
      await consentAndStart(candidate);
      expect(candidate.handedOver).toHaveLength(1);
      await expect(candidate.handedOver[0]).resolves.toMatch(/^\{"session_token":"ey[\w.-]+"\}$/);

      const answers = await answerByTextUntilCompleted(candidate, answer);
      await completed(candidate).waitFor();
      expect(answers).toBe(2);
      await expect(candidate.page.locator('#job-line').textContent()).resolves.toBe(
        'Customer Support Specialist at Acme Robotics',
      );
      await expect(candidate.page.locator('#next-steps').isVisible()).resolves.toBe(true);
      const interviewId = await candidate.page.locator('#interview-reference').textContent();
      expect(interviewId, await candidate.describe()).toMatch(/^int_/);
      expect(await candidate.page.content()).not.toMatch(/sk_(test|live)_/);
      expect(candidate.problems).toEqual([]);

      // What the ATS's back office then reads with its key.
      const interview = await viva<{ status: string }>(`/v1/interviews/${interviewId}`);
      expect(interview.status).toBe('completed');
      const transcript = await viva<{ turns: { speaker: string; text: string }[] }>(
        `/v1/interviews/${interviewId}/transcript`,
      );
      const said = transcript.turns.filter((t) => t.speaker === 'candidate').map((t) => t.text);
      expect(said).toEqual([answer, answer]);
    } finally {
      await candidate.close();
    }
  });

  it('keeps its light theme on a dark system: the brand green keeps readable text', async () => {
    const candidate = await openCandidatePage(browser, `${atsUrl}/`, { colorScheme: 'dark' });
    try {
      await candidate.page.locator('body[data-interview="ready"]').waitFor();
      const start = candidate.widget.locator('[part~="start-button"]');
      const colours = await start.evaluate((button) => {
        const style = button.ownerDocument.defaultView!.getComputedStyle(button);
        return { text: style.color, background: style.backgroundColor };
      });
      // theme="auto" would give the dark theme's text on primary, #1e1b4b: 2.55:1 on this green.
      expect(colours).toEqual({ text: 'rgb(255, 255, 255)', background: 'rgb(11, 110, 79)' });
      expect(contrast(colours.text, colours.background)).toBeGreaterThanOrEqual(4.5);
      expect(candidate.problems).toEqual([]);
    } finally {
      await candidate.close();
    }
  });

  it('notes an error by its code and request id, never by the developer message', async () => {
    const interviewId = await scheduleOwnInterview('lin-ma');
    const candidate = await openCandidatePage(browser, `${atsUrl}/?interview=${interviewId}`);
    try {
      const { page, widget } = candidate;
      await page.locator('body[data-interview="ready"]').waitFor();
      type Reported = { code: string; message: string; requestId?: string };
      const reported = widget.evaluate(
        (element) =>
          new Promise<Reported>((resolve) => {
            element.addEventListener(
              'interview-error',
              (event: unknown) => resolve((event as { detail: Reported }).detail),
              { once: true },
            );
          }),
      );
      // The recruiter cancels while the candidate has the page open; the candidate then presses Start.
      await cancel(interviewId);
      await widget.locator('[part~="consent-checkbox"]').check();
      await widget.locator('[part~="start-button"]').click();

      const error = await reported;
      await page.locator('body[data-interview-error]').waitFor();
      const noted = await page.locator('#interview-problem').textContent();
      expect(error.requestId, await candidate.describe()).toMatch(/^req_/);
      expect(noted).toBe(`Reference for support: ${error.code}, ${error.requestId}`);
      expect(noted).not.toContain(error.message);
      expect(await page.locator('aside').textContent()).not.toContain(error.message);
    } finally {
      await candidate.close();
    }
  });

  it('tells the candidate a canceled interview is no longer available, in its own words', async () => {
    const interviewId = await scheduleOwnInterview('canceled');
    await cancel(interviewId);
    // What Viva says about it, in English for developers: it must stay on the ATS's server.
    const refused = await fetch(`${platform.url}/v1/interviews/${interviewId}/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { detail } = (await refused.json()) as { detail: string };
    expect(detail).toContain(interviewId);

    const logged = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const candidate = await openCandidatePage(browser, `${atsUrl}/?interview=${interviewId}`);
    try {
      const { page } = candidate;
      await page.locator('body[data-interview="unavailable"]').waitFor();
      expect(logged.mock.calls.flat().join(' ')).toContain(detail);
      await expect(page.locator('#interview-problem').textContent()).resolves.toBe(
        'This interview link is no longer available.',
      );
      await expect(candidate.handedOver[0]).resolves.toBe(
        JSON.stringify({
          error: { code: 'invalid_state', message: 'This interview link is no longer available.' },
        }),
      );
      expect(await page.content()).not.toContain(detail);
    } finally {
      logged.mockRestore();
      await candidate.close();
    }
  });

  it('answers an unknown interview the same way, and any other refusal with a reference, not the detail', async () => {
    // The ATS logs what Viva said; here, the log is checked rather than printed.
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    // An ATS whose key was revoked: Viva says so in `detail`, which only the ATS's log may show.
    const misconfigured = createAtsServer({ apiKey: 'sk_test_revoked', apiBase: platform.url });
    try {
      const unknown = await fetch(`${atsUrl}/api/interview-session`, {
        method: 'POST',
        body: JSON.stringify({ interview_id: 'int_06h0000000000000000000000' }),
      });
      expect(unknown.status).toBe(404);
      await expect(unknown.json()).resolves.toEqual({
        error: { code: 'resource_missing', message: 'This interview link is no longer available.' },
      });

      misconfigured.listen(0, '127.0.0.1');
      await once(misconfigured, 'listening');
      const port = (misconfigured.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/interview-session`, {
        method: 'POST',
        body: '{}',
      });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, JSON.stringify(body)).toBe(502);
      expect(body.error.code).toBe('invalid_api_key');
      const reference = /quote (req_\w+)\.$/.exec(body.error.message)?.[1];
      expect(reference, body.error.message).toBeDefined();
      const log = logged.mock.calls.flat().join(' ');
      const detail = new RegExp(`invalid_api_key (.+) \\(${reference}\\)`).exec(log)?.[1];
      expect(detail, log).toBeTruthy();
      expect(body.error.message).not.toContain(detail);
    } finally {
      warned.mockRestore();
      logged.mockRestore();
      misconfigured.close();
    }
  });

  it('keeps one example job across restarts: its Idempotency-Key names the job and its text', async () => {
    const restarted = createAtsServer({ apiKey, apiBase: platform.url });
    try {
      restarted.listen(0, '127.0.0.1');
      await once(restarted, 'listening');
      const port = (restarted.address() as AddressInfo).port;
      for (const url of [atsUrl, `http://127.0.0.1:${port}`]) {
        const res = await fetch(`${url}/api/interview-session`, { method: 'POST', body: '{}' });
        expect(res.status, await res.text()).toBe(200);
      }
      const jobs = await viva<{ data: unknown[] }>(`/v1/jobs?external_id=${exampleJob.external_id}`);
      expect(jobs.data).toHaveLength(1);
    } finally {
      restarted.close();
    }
  });

  it('mints tokens bound to the page origin', async () => {
    const res = await fetch(`${atsUrl}/api/interview-session`, { method: 'POST', body: '{}' });
    const { session_token: token } = (await res.json()) as { session_token: string };
    const session = (origin: string) =>
      fetch(`${platform.url}/v1/session`, { headers: { authorization: `Bearer ${token}`, origin } });
    expect((await session(atsUrl)).status).toBe(200);
    const elsewhere = await session('http://careers.evil.example');
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.json()).toMatchObject({ code: 'origin_not_allowed' });
  });

  it('refuses an id that is not an interview id', async () => {
    const res = await fetch(`${atsUrl}/api/interview-session`, {
      method: 'POST',
      body: JSON.stringify({ interview_id: '../v1/jobs' }),
    });
    expect(res.status).toBe(400);
  });

  it('says what to set when it has no key', async () => {
    const run = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['server.ts'],
        { cwd: join(import.meta.dirname, '..'), env: { ...process.env, VIVA_KEY: '' } },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      );
    });
    await expect(run).resolves.toMatchObject({ code: 2, stderr: expect.stringContaining('VIVA_KEY') });
  });
});
