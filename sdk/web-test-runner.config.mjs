import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { chromiumArgs, chromiumPath, ensureAnswerWav } from './test/support/fake-microphone.ts';
import { vivaPlatformPlugin } from './test/support/platform-plugin.ts';

/**
 * The element and the client tested in real headless Chromium (Debian's, never a downloaded one) against a
 * real platform on the embedded default, started for the run by `vivaPlatformPlugin`. Chromium's fake
 * microphone plays test/fixtures/answer.wav (spoken by espeak-ng), so audio tests hear a real voice.
 */
// WTR_PORT lets two runs share a machine (the page origin, which the test tenant allows, follows it).
const port = Number(process.env.WTR_PORT ?? 8765);
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
      launchOptions: { executablePath: chromiumPath, args: chromiumArgs('allow') },
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
          launchOptions: { executablePath: chromiumPath, args: chromiumArgs('deny') },
        }),
      ],
    },
  ],
};
