import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Debian's Chromium (never a downloaded one) with a fake microphone that speaks an answer: for the browser
 * tests (web-test-runner.config.mjs) and the screenshots (scripts/screenshot-stage.ts).
 */
export const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** The fake microphone's voice: made here rather than committed (see `ensureAnswerWav`). */
export const answerWav = fileURLToPath(new URL('../fixtures/answer.wav', import.meta.url));

/**
 * Makes the fake microphone's voice if it is missing: espeak-ng speaks the answer, sox resamples it to 48 kHz
 * mono 16-bit (what Chromium's fake capture device expects) with half a second of silence before and a second
 * after, so each loop of the file is one answer followed by a pause. CI installs both tools.
 */
export function ensureAnswerWav(): void {
  if (existsSync(answerWav)) return;
  mkdirSync(dirname(answerWav), { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'viva-answer-'));
  try {
    const raw = join(scratch, 'raw.wav');
    execFileSync('espeak-ng', [
      '-w',
      raw,
      'I built a design system with accessible components and visual tests',
    ]);
    execFileSync('sox', [raw, '-r', '48000', '-b', '16', '-c', '1', answerWav, 'pad', '0.5', '1']);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The flags of every launch: headless with no network chatter, audio allowed to play, and the fake microphone
 * playing `answerWav`. `microphone: 'deny'` refuses every permission prompt instead of granting it.
 */
export function chromiumArgs(microphone: 'allow' | 'deny' = 'allow'): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--autoplay-policy=no-user-gesture-required',
    microphone === 'allow' ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${answerWav}`,
  ];
}
