import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAtsServer } from '@viva/example-ats-embed/server.ts';
import {
  completed,
  consentAndStart,
  openCandidatePage,
} from '@viva/example-ats-embed/test/support/candidate.ts';
import { launchChromium } from '@viva/example-ats-embed/test/support/chromium.ts';
import { ensureWidgetBuilt } from '@viva/example-ats-embed/test/support/widget-build.ts';
import type { components } from '@viva/openapi/types';
import { type FakeOpenAi, startFakeOpenAi } from '@viva/platform/test/support/fake-openai.ts';
import { adminKey, startTestPlatform, type TestPlatform } from '@viva/platform/test/support/harness.ts';
import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpsWebhookReceiver, startHttpsWebhookReceiver } from '../support/https-webhook-receiver.ts';
import { fakeMicrophoneArgs, speakAnswer } from '../support/spoken-answer.ts';
import { vivaRest } from '../support/viva-rest.ts';

type Schemas = components['schemas'];

/**
 * The whole product, end to end: an ATS page (examples/ats-embed) embeds the widget; the candidate answers
 * every question by voice through Chromium's fake microphone; the platform runs on PostgreSQL, Redis and an
 * S3 API (s3rver), with speech-to-text on a fake OpenAI-compatible server; the example webhook receiver
 * verifies what arrives; and the ATS reads the transcript, recording and scorecard back over REST.
 */
const spokenAnswer =
  'I planned the migration of our billing system step by step and kept every customer informed along the way.';
const sttKey = 'sk-fake-stt-key';

let workDir: string;
let fake: FakeOpenAi;
let receiver: HttpsWebhookReceiver;
let test: TestPlatform;
let ats: Server;
let atsUrl: string;
let browser: Browser;
let liveKey: string;

/** A WebM file whose audio track is Opus, as Chromium's MediaRecorder writes it. */
const isWebmOpus = (bytes: Buffer) =>
  bytes.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])) && bytes.includes('A_OPUS');

beforeAll(async () => {
  const sdkDir = await ensureWidgetBuilt();
  workDir = await mkdtemp(join(tmpdir(), 'viva-e2e-'));
  const answerWav = await speakAnswer(spokenAnswer, workDir);
  // The fake "transcribes" a real spoken recording as the sentence espeak-ng said; anything else, it describes.
  fake = await startFakeOpenAi({
    apiKey: sttKey,
    transcript: (audio, type) =>
      isWebmOpus(audio) && audio.length > 4_000
        ? spokenAnswer
        : `unrecognised ${type} of ${audio.length} bytes`,
  });
  receiver = await startHttpsWebhookReceiver();
  test = await startTestPlatform(
    {
      // Speech-to-text only: the offline interviewer asks and the offline scorer scores, in live mode.
      STT_BASE_URL: fake.baseUrl,
      STT_API_KEY: sttKey,
      // The receiver listens on 127.0.0.1; a server refuses private addresses unless told otherwise.
      VIVA_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    },
    { sdkDir },
  );
  if (!test.databaseUrl || !test.s3 || !test.platform.services.redis) {
    throw new Error('The e2e test runs on PostgreSQL, Redis and S3 only.');
  }

  const tenant = await fetch(`${test.url}/admin/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Hireloop Demo Co' }),
  });
  liveKey = ((await tenant.json()) as Schemas['TenantCreated']).api_keys.live;
  ats = createAtsServer({ apiKey: liveKey, apiBase: test.url });
  ats.listen(0, '127.0.0.1');
  await once(ats, 'listening');
  atsUrl = `http://127.0.0.1:${(ats.address() as AddressInfo).port}`;
  browser = await launchChromium(fakeMicrophoneArgs(answerWav));
});
afterAll(async () => {
  await browser?.close();
  ats?.close();
  await test?.stop();
  await receiver?.close();
  await fake?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('a voice interview, end to end', () => {
  it('is taken by voice on the ATS page, then delivered by webhooks and readable over REST', async () => {
    const viva = vivaRest(test.url, liveKey);
    const endpoint = await viva.post<Schemas['WebhookEndpointWithSecret']>('/v1/webhook_endpoints', {
      url: receiver.url,
      enabled_events: ['interview.completed', 'scorecard.completed'],
    });
    receiver.useSecret(endpoint.secret);
    const job = await viva.post<Schemas['Job']>('/v1/jobs', {
      title: 'Billing Platform Engineer',
      questions: [
        { text: 'Tell me about a project you are proud of.' },
        { text: 'How do you keep the people around you informed?' },
      ],
      rubric: {
        dimensions: [{ key: 'planning', name: 'Planning', description: 'Plans step by step.', weight: 1 }],
      },
    });
    const person = await viva.post<Schemas['Candidate']>('/v1/candidates', { name: 'Grace Hopper' });
    const scheduled = await viva.post<Schemas['Interview']>('/v1/interviews', {
      job_id: job.id,
      candidate_id: person.id,
    });

    // The candidate opens the ATS page for this interview, sees their microphone move, consents and starts.
    const candidate = await openCandidatePage(browser, `${atsUrl}/?interview=${scheduled.id}`);
    try {
      await candidate.page.locator('body[data-interview="ready"]').waitFor();
      const meter = candidate.widget.locator('[part~="level-meter"]');
      await expect
        .poll(() => meter.getAttribute('aria-valuenow').then(Number), { timeout: 30_000 })
        .toBeGreaterThan(0);
      await consentAndStart(candidate);
      // From here on the fake microphone speaks; the widget hears each answer end in silence and uploads it.
      await completed(candidate)
        .waitFor({ timeout: 180_000 })
        .catch(async (error: Error) => {
          throw new Error(`${error.message}\n${await candidate.describe()}`);
        });
      expect(candidate.problems, await candidate.describe()).toEqual([]);
    } finally {
      await candidate.close();
    }

    // The ATS hears about it through verified webhooks...
    const done = await receiver.waitFor('interview.completed', scheduled.id);
    expect(done).toMatchObject({
      livemode: true,
      data: { object: { id: scheduled.id, status: 'completed' } },
    });
    const scored = await receiver.waitFor('scorecard.completed', scheduled.id);
    expect(scored.data.object).toMatchObject({ object: 'scorecard', status: 'completed' });
    expect(receiver.refused).toEqual([]);
    // Verified means something: a delivery signed with another secret (by the reference library) is refused.
    const forged = JSON.stringify({ ...done, id: 'evt_forged' });
    const forger = new Webhook(`whsec_${randomBytes(32).toString('base64')}`);
    const at = new Date();
    const refusal = await fetch(receiver.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'evt_forged',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': forger.sign('evt_forged', at, forged),
      },
      body: forged,
    });
    expect(refusal.status).toBe(400);
    expect(receiver.refused).toEqual([expect.stringContaining('bad_signature')]);

    // ...and reads the transcript, the recording and the scorecard with its key.
    const transcript = await viva.get<Schemas['Transcript']>(`/v1/interviews/${scheduled.id}/transcript`);
    const answers = transcript.turns.filter((turn) => turn.speaker === 'candidate');
    expect(answers.length, JSON.stringify(transcript.turns)).toBeGreaterThanOrEqual(2);
    for (const turn of answers) expect(turn).toMatchObject({ text: spokenAnswer, has_audio: true });

    const recording = await viva.get<Schemas['Recording']>(`/v1/interviews/${scheduled.id}/recording`);
    const spoken = recording.segments.filter((segment) => segment.speaker === 'candidate');
    expect(spoken.map((s) => s.turn_id)).toEqual(answers.map((turn) => turn.id));
    for (const segment of spoken) {
      expect(segment.url.startsWith(`${test.s3!.endpoint}/`), segment.url).toBe(true);
      expect(segment.content_type).toMatch(/^audio\/webm/);
      expect(segment.duration_ms).toBeGreaterThan(1000);
      const download = await fetch(segment.url);
      const audio = Buffer.from(await download.arrayBuffer());
      expect(download.status).toBe(200);
      expect(audio.length).toBe(segment.size);
      expect(isWebmOpus(audio)).toBe(true);
    }
    // What the fake was sent is what the recording kept, and it was asked with the configured key.
    const transcriptions = fake.requests.filter((r) => r.path === '/v1/audio/transcriptions');
    expect(transcriptions).toHaveLength(answers.length);
    for (const request of transcriptions) expect(request.headers.authorization).toBe(`Bearer ${sttKey}`);

    const scorecard = await viva.get<Schemas['Scorecard']>(`/v1/interviews/${scheduled.id}/scorecard`);
    expect(scorecard).toMatchObject({ interview_id: scheduled.id, status: 'completed', livemode: true });
  });
});
