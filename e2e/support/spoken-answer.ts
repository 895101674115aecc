import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * `text`, spoken by espeak-ng, as the WAV Chromium's fake microphone plays (48 kHz, 16-bit, mono), with
 * half a second of silence before and two after. The file loops, so the silence after is what ends each
 * answer: it must be longer than the widget's `silence-ms` (1800 by default).
 */
export async function speakAnswer(text: string, dir: string): Promise<string> {
  const raw = join(dir, 'espeak.wav');
  const answer = join(dir, 'answer.wav');
  try {
    await run('espeak-ng', ['-w', raw, text]);
    await run('sox', [raw, '-r', '48000', '-b', '16', '-c', '1', answer, 'pad', '0.5', '2']);
  } catch (error) {
    throw new Error(
      `Could not make the spoken answer (apt-get install -y espeak-ng sox): ${(error as Error).message}`,
    );
  }
  return answer;
}

/** Chromium's fake microphone, playing `wav` in a loop, allowed without a prompt. */
export function fakeMicrophoneArgs(wav: string): string[] {
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    // An absolute path: a wrong one gives silence, with no error.
    `--use-file-for-fake-audio-capture=${wav}`,
    '--autoplay-policy=no-user-gesture-required',
  ];
}
