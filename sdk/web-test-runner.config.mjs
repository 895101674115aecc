import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { vivaPlatformPlugin } from './test/support/platform-plugin.ts';

/**
 * The element and the client tested in real headless Chromium (Debian's, never a downloaded one) against a
 * real platform on the embedded default, started for the run by `vivaPlatformPlugin`. Chromium's fake
 * microphone plays test/fixtures/answer.wav (spoken by espeak-ng), so audio tests hear a real voice.
 */
const port = 8765;
const answerWav = new URL('./test/fixtures/answer.wav', import.meta.url).pathname;

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
};
