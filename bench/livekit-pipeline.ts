/**
 * The LiveKit interviewer agent's own share of the latency budget, measured on real speech: espeak-ng
 * sentences at 48 kHz (sox), fed as 10 ms frames (the shape rtc-node's AudioStream yields) through the
 * agent's listener (mono mix, resampling to 16 kHz, voice-activity detection, utterance cutting, barge-in),
 * and the agent's voice cut into 10 ms frames for the AudioSource. Prints:
 *
 * - when the end of an answer is known, after its last word (the silence rule, in stream time);
 * - when a barge-in is decided, after the candidate's first word;
 * - the processing time per 10 ms frame, on this machine's CPU.
 *
 * Run: `pnpm bench:livekit-pipeline` from the repository root (needs espeak-ng and sox). BENCH_ROUNDS (default 20) repeats the
 * conversation for the timing figures. No LiveKit server is involved: the network, LiveKit's own jitter
 * buffer and the providers' latencies come on top (see docs/livekit.md).
 */
import os from 'node:os';
import { CandidateListener, type ListenerEvent } from '../platform/src/livekit/candidate-listener.ts';
import { PcmFramer } from '../platform/src/livekit/pcm.ts';
import { Resampler } from '../platform/src/livekit/resampler.ts';
import {
  concat,
  durationOf,
  framesOf,
  type Speech,
  silence,
  speechExtentMs,
  spoken,
} from '../platform/test/support/speech.ts';
import { fixed, percentile, table } from './report.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 20);

const answers = [
  'I designed the payments ledger at my last company.',
  'We reconciled every night, and it caught drift early.',
  'During an outage I first make sure the right people are in the room.',
  'Then we communicate early, with a status page that says what we know.',
  'Afterwards we write a blameless review and fix the cause, not the symptom.',
].map((text) => spoken(text));

/** The conversation: each answer after a second of silence, followed by 2.5 s of silence. */
function conversation(): { audio: Speech; speech: { startMs: number; endMs: number }[] } {
  const parts: Speech[] = [];
  const speech: { startMs: number; endMs: number }[] = [];
  let at = 0;
  for (const answer of answers) {
    parts.push(silence(1000));
    at += 1000;
    const extent = speechExtentMs(answer);
    speech.push({ startMs: at + extent.startMs, endMs: at + extent.endMs });
    parts.push(answer, silence(2500));
    at += durationOf(answer) + 2500;
  }
  return { audio: concat(...parts), speech };
}

const { audio, speech } = conversation();
const frames = framesOf(audio, 10);

// --- Decisions, in stream time --------------------------------------------------------------------------
const endDelays: number[] = [];
const bargeInDelays: number[] = [];
{
  const listener = new CandidateListener();
  listener.agentSpeaking = true;
  const events: ListenerEvent[] = [];
  for (const frame of frames) events.push(...listener.push(frame));
  const utterances = events.filter((e) => e.type === 'utterance');
  const interrupts = events.filter((e) => e.type === 'interrupt');
  if (utterances.length !== speech.length || interrupts.length !== speech.length) {
    throw new Error(
      `expected ${speech.length} utterances, got ${utterances.length} (${interrupts.length} barge-ins)`,
    );
  }
  for (const [i, u] of utterances.entries()) endDelays.push(u.atMs - speech[i]!.endMs);
  for (const [i, e] of interrupts.entries()) bargeInDelays.push(e.atMs - speech[i]!.startMs);
}

// --- Processing time per frame ---------------------------------------------------------------------------
function time(run: () => void): Float64Array {
  const samples = new Float64Array(frames.length * rounds);
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    run();
    for (const frame of frames) {
      const started = performance.now();
      listenerUnderTest!.push(frame);
      samples[n++] = (performance.now() - started) * 1000;
    }
  }
  return samples.sort();
}
let listenerUnderTest: CandidateListener | null = null;
// A warm-up round, so the JIT has compiled the hot paths before anything is timed.
listenerUnderTest = new CandidateListener();
for (const frame of frames) listenerUnderTest.push(frame);
const listening = time(() => {
  listenerUnderTest = new CandidateListener();
});

const resampling = new Float64Array(frames.length * rounds);
{
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    const resampler = new Resampler(48_000, 16_000);
    for (const frame of frames) {
      const started = performance.now();
      resampler.push(frame.data);
      resampling[n++] = (performance.now() - started) * 1000;
    }
  }
  resampling.sort();
}

// The agent's voice: 24 kHz PCM as text-to-speech streams it (chunks of 4,800 bytes), cut into 10 ms frames.
const voice = Buffer.alloc(24_000 * 2 * 10);
const framing = new Float64Array(Math.floor(voice.length / 4800) * rounds);
{
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    const framer = new PcmFramer(24_000);
    for (let at = 0; at + 4800 <= voice.length; at += 4800) {
      const started = performance.now();
      framer.push(voice.subarray(at, at + 4800));
      // Per 10 ms frame: each 4,800-byte chunk is 100 ms.
      framing[n++] = ((performance.now() - started) * 1000) / 10;
    }
  }
  framing.sort();
}

const stats = (values: number[]) => {
  const sorted = Float64Array.from(values).sort();
  return [fixed(sorted[0]!, 0), fixed(percentile(sorted, 50), 0), fixed(sorted.at(-1)!, 0)];
};
const perFrame = (sorted: Float64Array) => {
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return [
    fixed(mean, 1),
    fixed(percentile(sorted, 50), 1),
    fixed(percentile(sorted, 99), 1),
    fixed(sorted.at(-1)!, 1),
  ];
};

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `LiveKit agent pipeline: ${answers.length} espeak-ng answers at 48 kHz, 10 ms frames, ${rounds} rounds; ` +
    `${cpu}, Node ${process.versions.node}\n\n`,
);
process.stdout.write(
  `${table(
    ['decision (stream time)', 'min ms', 'median ms', 'max ms'],
    [
      ['end of answer known, after the last word', ...stats(endDelays)],
      ['barge-in decided, after the first word', ...stats(bargeInDelays)],
    ],
  )}\n\n`,
);
const listeningMean = listening.reduce((a, b) => a + b, 0) / listening.length;
process.stdout.write(
  `${table(
    ['processing per 10 ms frame', 'mean µs', 'p50 µs', 'p99 µs', 'max µs'],
    [
      ['listener (mix, resample, VAD, cut, barge-in)', ...perFrame(listening)],
      ['  of which resampling 48 → 16 kHz', ...perFrame(resampling)],
      ['voice: 24 kHz PCM into frames', ...perFrame(framing)],
    ],
  )}\n\n`,
);
process.stdout.write(
  `The listener uses ${fixed((listeningMean / 10_000) * 100, 2)} % of one core per candidate in real time ` +
    `(${fixed(10_000 / listeningMean, 0)} rooms' microphones per core, before the rtc-node and provider work).\n`,
);
