import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { vivaPlatformPlugin } from './test/support/platform-plugin.ts';

/**
 * The element and the client tested in real headless Chromium (Debian's, never a downloaded one) against a
 * real platform on the embedded default, started for the run by `vivaPlatformPlugin`. Chromium's fake
 * microphone plays test/fixtures/answer.wav (spoken by espeak-ng), so audio tests hear a real voice.
 */
// WTR_PORT lets two runs share a machine (the page origin, which the test tenant allows, follows it).
const port = Number(process.env.WTR_PORT ?? 8765);
const answerWav = new URL('./test/fixtures/answer.wav', import.meta.url).pathname;

/**
 * The fake microphone's voice, made here rather than committed: espeak-ng speaks the answer, sox resamples it
 * to 48 kHz mono 16-bit (what Chromium's fake capture device expects) with half a second of silence before
 * and a second after, so each loop of the file is one answer followed by a pause. CI installs both tools.
 */
function ensureAnswerWav() {
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
ensureAnswerWav();

export default {
  files: ['test/**/*.test.ts'],
  nodeResolve: true,
  port,
  concurrency: 1,
  testFramework: { config: { timeout: 20_000 } },
  testsFinishTimeout: 10 * 60_000,
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: new URL('./tsconfig.json', import.meta.url).pathname }),
    vivaPlatformPlugin({ pageOrigin: `http://localhost:${port}` }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-quic',
          '--no-first-run',
          '--autoplay-policy=no-user-gesture-required',
          '--use-fake-ui-for-media-stream',
          '--use-fake-device-for-media-stream',
          `--use-file-for-fake-audio-capture=${answerWav}`,
        ],
      },
    }),
  ],
  groups: [
    {
      // The candidate who blocks the microphone: this Chromium refuses every permission prompt (no fake
      // "allow" UI). Its tests are named *.denied-test.ts so the default group, which allows, never runs them.
      name: 'microphone-denied',
      files: ['test/**/*.denied-test.ts'],
      browsers: [
        chromeLauncher({
          launchOptions: {
            executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
            args: [
              '--headless',
              '--no-sandbox',
              '--disable-gpu',
              '--disable-background-networking',
              '--disable-component-update',
              '--disable-sync',
              '--disable-quic',
              '--no-first-run',
              '--autoplay-policy=no-user-gesture-required',
              '--deny-permission-prompts',
              '--use-fake-device-for-media-stream',
              `--use-file-for-fake-audio-capture=${answerWav}`,
            ],
          },
        }),
      ],
    },
  ],
};
