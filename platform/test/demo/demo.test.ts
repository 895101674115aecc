import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoTenant } from '../../src/tenants/demo-tenant.ts';
import { type ApiClient, apiClient, describeResponse } from '../support/api.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { answerAndHear, longAnswer, until } from '../support/interview-flow.ts';
import { settledScorecard } from '../support/scoring.ts';
import { SseClient } from '../support/sse-client.ts';
import { demoBrowser, jobFields, type Page, redirected, secretKeys, section, text } from './demo-browser.ts';

/**
 * The demo ATS, driven over HTTP as a browser drives it: form posts, redirects, pages read as HTML. Only on
 * the embedded backend (see vitest.config.ts), the one `pnpm start` serves it on.
 */

let test: TestPlatform;
let api: ApiClient;
let demo: DemoTenant;
let browser: ReturnType<typeof demoBrowser>;

beforeAll(async () => {
  // An empty SDK folder: the widget is "not built", and the pages must work all the same.
  test = await startTestPlatform({}, { demo: true, sdkDir: '/nonexistent/viva-sdk' });
  api = apiClient(test.url);
  demo = test.platform.demo!;
  browser = demoBrowser(test.url);
});
afterAll(async () => test?.stop());

describe('the demo ATS', () => {
  it('serves the recruiter view: forms, landmarks, a strict policy, no secret key', async () => {
    const page = await browser.open('/demo');
    expect(page.status, page.html).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self';/);
    // Its one inline stylesheet is pinned by hash: no other inline style applies.
    expect(policy).not.toContain('unsafe-inline');
    const inline = /<style>([\s\S]*?)<\/style>/.exec(page.html)?.[1] ?? '';
    expect(policy).toContain(`style-src 'sha256-${createHash('sha256').update(inline).digest('base64')}'`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html).toContain('<main id="main"');
    expect(page.html).toContain('<form method="post" action="/demo/jobs">');
    expect(page.html).toMatch(/<label for="title">/);
    expect(page.html).not.toMatch(secretKeys);
    expect(page.html).not.toMatch(/<script/);
  });

  it('creates a job, invites a candidate, and embeds the widget with a fresh session token', async () => {
    const jobId = await browser.createJob();
    const job = await api.call<{ questions: { text: string }[]; rubric: { dimensions: unknown[] } }>(
      'GET',
      `/v1/jobs/${jobId}`,
      { key: demo.test.key },
    );
    expect(job.body.questions.map((q) => q.text)).toEqual([
      'Tell me about a system you designed.',
      'How do you handle an outage?',
    ]);
    expect(job.body.rubric.dimensions).toEqual([
      expect.objectContaining({
        key: 'problem_solving',
        weight: 40,
        levels: { '1': 'No approach.', '5': 'Weighs trade-offs unprompted.' },
      }),
      expect.objectContaining({ key: 'communication', name: 'Communication', weight: 25 }),
    ]);
    expect(text((await browser.open(`/demo?job=${jobId}`)).html)).toContain(
      'Job Robotics Software Engineer created',
    );

    const interviewId = await browser.invite(jobId, 'Ada Lovelace', 'ada@example.com');
    const recruiter = await browser.open(`/demo?invited=${interviewId}`);
    expect(text(recruiter.html)).toContain('Interview scheduled for Ada Lovelace');
    expect(recruiter.html).toContain(`href="/demo/careers/${interviewId}"`);
    expect(recruiter.html).toContain('/join#token=');

    const career = await browser.open(`/demo/careers/${interviewId}`);
    expect(career.status, career.html).toBe(200);
    expect(career.html).toContain('<script type="module" src="/sdk/ai-interview.js"></script>');
    const element = /<ai-interview session-token="([^"]+)" api-base="([^"]+)"><\/ai-interview>/.exec(
      career.html,
    );
    expect(element, career.html).not.toBeNull();
    expect(element![2]).toBe(test.url);
    expect(career.html).not.toMatch(secretKeys);
    expect(career.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    // The widget is not built in this test's SDK folder: the page says how to build it.
    expect(text(career.html)).toContain('pnpm --filter @viva/sdk build:cdn');
    const again = /session-token="([^"]+)"/.exec(
      (await browser.open(`/demo/careers/${interviewId}`)).html,
    )![1];
    expect(again, 'a fresh token per page view').not.toBe(element![1]);
  });

  it('shows a completed interview: transcript, offline scorecard and verified webhooks', async () => {
    const interviewId = await browser.invite(await browser.createJob(), 'Grace Hopper');
    const token = /session-token="([^"]+)"/.exec(
      (await browser.open(`/demo/careers/${interviewId}`)).html,
    )![1]!;

    // The candidate's side, as the widget does it: the session API with the token and nothing else.
    const started = await api.call('POST', '/v1/session/start', { key: token });
    expect(started.status, describeResponse(started)).toBe(200);
    const events = new SseClient(`${test.url}/v1/session/events`, token);
    try {
      await events.next((e) => e.event === 'interviewer.done');
      await answerAndHear(api, token, events, longAnswer);
      await answerAndHear(
        api,
        token,
        events,
        'I roll back first, find the cause, then write a blameless postmortem.',
      );
      await events.next((e) => e.event === 'interview.completed');
    } finally {
      events.close();
    }
    await settledScorecard(api, demo.test.key, interviewId);

    // Both sides of each webhook: Viva's delivery log says succeeded, the demo's receiver says verified.
    const bothSides = (type: string, webhooks: string) => {
      const [delivered, received] = webhooks.split('Received and verified').map(text);
      const event = type.replace('.', '\\.');
      return (
        new RegExp(`${event} evt_\\w+ succeeded 1 200 in`).test(delivered!) &&
        new RegExp(`${event} evt_\\w+ verified`).test(received!)
      );
    };
    let page: Page = await browser.open(`/demo/interviews/${interviewId}`);
    await until(
      'interview.completed and scorecard.completed are delivered and verified',
      async () => {
        page = await browser.open(`/demo/interviews/${interviewId}`);
        const webhooks = section(page.html, 'webhooks');
        return bothSides('interview.completed', webhooks) && bothSides('scorecard.completed', webhooks);
      },
      20_000,
    );
    expect(page.status, page.html).toBe(200);
    expect(page.html).not.toMatch(secretKeys);
    expect(text(page.html)).toContain('Grace Hopper');

    const transcript = text(section(page.html, 'transcript'));
    expect(transcript).toContain(longAnswer);
    expect(transcript).toContain('blameless postmortem');

    const scorecard = text(section(page.html, 'scorecard'));
    expect(scorecard).toMatch(/Scored by offline/);
    expect(scorecard).toMatch(/\d(\.\d+)? \/ 5/);
    expect(scorecard).toContain('Problem solving');
    expect(scorecard).toContain('Strengths');
    expect(section(page.html, 'scorecard')).toContain('<blockquote>');
    expect(section(page.html, 'scorecard')).toContain(`action="/demo/interviews/${interviewId}/rescore"`);

    const delivered = section(page.html, 'webhooks').split('Received and verified')[0];
    for (const type of [
      'interview.scheduled',
      'interview.started',
      'interview.completed',
      'scorecard.completed',
    ]) {
      expect(delivered, type).toContain(type);
    }
    expect(section(page.html, 'recording')).toContain('No audio');

    // The interview is over: the career page shows no widget and mints no token.
    const career = await browser.open(`/demo/careers/${interviewId}`);
    expect(career.html).not.toContain('<ai-interview');
    expect(text(career.html)).toContain('This interview is completed');

    // Rescore: POST, redirect back, and a second scorecard in the history.
    expect(redirected(await browser.submit(`/demo/interviews/${interviewId}/rescore`, {}))).toBe(
      `/demo/interviews/${interviewId}`,
    );
    const history = await api.call<{ data: { trigger: string }[] }>(
      'GET',
      `/v1/interviews/${interviewId}/scorecards`,
      { key: demo.test.key },
    );
    expect(history.body.data.map((s) => s.trigger)).toEqual(['rescore', 'interview_completed']);
  });

  it('escapes what candidates and recruiters type: a name is text, never markup', async () => {
    const name = '<script>alert(1)</script>';
    const interviewId = await browser.invite(await browser.createJob(), name, 'x@example.com');
    for (const path of ['/demo', `/demo?invited=${interviewId}`, `/demo/interviews/${interviewId}`]) {
      const page = await browser.open(path);
      expect(page.html, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.html, path).not.toContain(name);
    }
    const job = await browser.createJob({ ...jobFields, title: '"><img src=x onerror=alert(1)>' });
    const page = await browser.open(`/demo?job=${job}`);
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it("shows the API's error detail on a bad form, keeping what was typed", async () => {
    const page = await browser.submit('/demo/jobs', { ...jobFields, title: '' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('role="alert"');
    expect(text(page.html)).toContain('title must NOT have fewer than 1 characters');
    expect(page.html).toContain('Motion planning for warehouse robots.');
    expect(page.html).not.toMatch(/at \w+ \(.*:\d+:\d+\)/);

    const unknownJob = await browser.submit('/demo/invitations', { job_id: 'job_nope', name: 'Ada' });
    expect(unknownJob.status).toBe(400);
    expect(text(unknownJob.html)).toMatch(/The API refused this \(400 \w+\): .*job/);

    const missing = await browser.open(`/demo/interviews/int_${'0'.repeat(26)}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
    expect(missing.html).toContain('role="alert"');
  });

  it('refuses forms posted from another site', async () => {
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of foreign) {
      const page = await browser.submit('/demo/jobs', jobFields, headers);
      expect(page.status, JSON.stringify(headers)).toBe(403);
    }
    const sameSite = await browser.submit('/demo/jobs', jobFields, {
      origin: test.url,
      'sec-fetch-site': 'same-origin',
    });
    expect(sameSite.status).toBe(303);
  });
});
