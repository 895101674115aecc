import { describe, expect, it } from 'vitest';
import { CandidateListener, type ListenerEvent } from '../../src/livekit/candidate-listener.ts';
import { encodeWav, PcmFramer, rmsLevel } from '../../src/livekit/pcm.ts';
import { Resampler } from '../../src/livekit/resampler.ts';
import { inspectAudio } from '../../src/sessions/audio-answer.ts';
import {
  concat,
  decodeWav,
  durationOf,
  framesOf,
  type Speech,
  silence,
  speechExtentMs,
  spoken,
} from '../support/speech.ts';

/**
 * The LiveKit agent's audio pipeline on real speech (espeak-ng, converted by sox to the 48 kHz a room
 * delivers), fed as rtc-node AudioFrame-shaped frames of 10 and 20 ms: resampling, voice activity,
 * utterance boundaries, barge-in. No LiveKit server runs here; this is everything up to it.
 */

const answerOne = 'I designed the payments ledger at my last company.';
const answerTwo = 'We reconciled every night, and it caught drift early.';

function listen(audio: Speech, frameMs = 10, channels = 1, listener = new CandidateListener()) {
  const events: ListenerEvent[] = [];
  for (const frame of framesOf(audio, frameMs, channels)) events.push(...listener.push(frame));
  return events;
}

const utterances = (events: ListenerEvent[]) =>
  events.filter((e): e is Extract<ListenerEvent, { type: 'utterance' }> => e.type === 'utterance');

function tone(hz: number, ms: number, sampleRate: number, amplitude = 0.5): Int16Array {
  const samples = new Int16Array(Math.round((ms / 1000) * sampleRate));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / sampleRate) * amplitude * 32767);
  }
  return samples;
}

function resampleInFrames(input: Int16Array, from: number, to: number, frame: number): Int16Array {
  const resampler = new Resampler(from, to);
  const parts: Int16Array[] = [];
  for (let at = 0; at < input.length; at += frame) parts.push(resampler.push(input.subarray(at, at + frame)));
  parts.push(resampler.flush());
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('resampling 48 kHz room audio for speech-to-text', () => {
  it('keeps a speech-band tone whole and its length in time', () => {
    const input = tone(1000, 1000, 48_000);
    const output = resampleInFrames(input, 48_000, 16_000, 480);
    expect(output.length).toBe(16_000);
    // The steady middle, away from the filter's ramp at the edges.
    const middle = output.subarray(1000, 15_000);
    expect(rmsLevel(middle)).toBeCloseTo(rmsLevel(input.subarray(3000, 45_000)), 2);
    let crossings = 0;
    for (let i = 1; i < middle.length; i++) if (middle[i - 1]! < 0 !== middle[i]! < 0) crossings++;
    // 1 kHz: two zero crossings a millisecond, over 875 ms.
    expect(crossings).toBeGreaterThanOrEqual(1748);
    expect(crossings).toBeLessThanOrEqual(1752);
  });

  it('filters out what 16 kHz cannot carry, rather than folding it into the speech band', () => {
    const input = tone(12_000, 500, 48_000);
    const output = resampleInFrames(input, 48_000, 16_000, 480);
    const attenuationDb = 20 * Math.log10(rmsLevel(output.subarray(200, 7800)) / rmsLevel(input));
    expect(attenuationDb).toBeLessThan(-40);
  });

  it('gives the same samples however the stream is framed', () => {
    const input = spoken(answerOne).samples;
    const whole = resampleInFrames(input, 48_000, 16_000, input.length);
    expect(resampleInFrames(input, 48_000, 16_000, 480)).toEqual(whole);
    expect(resampleInFrames(input, 48_000, 16_000, 961)).toEqual(whole);
    // An odd ratio, espeak's own rate to 16 kHz.
    const native = spoken(answerOne, 22_050).samples;
    const odd = resampleInFrames(native, 22_050, 16_000, native.length);
    expect(resampleInFrames(native, 22_050, 16_000, 221)).toEqual(odd);
    expect(Math.abs(odd.length - Math.round((native.length * 16_000) / 22_050))).toBeLessThanOrEqual(1);
  });
});

describe('text-to-speech PCM into 10 ms frames', () => {
  it('cuts chunks of any length, odd ones included, into whole frames with their own buffers', () => {
    const pcm = Buffer.alloc(24_000 * 2 * 0.35);
    for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE((i % 2000) - 1000, i * 2);
    const framer = new PcmFramer(24_000);
    const frames = [];
    for (const size of [1, 7, 479, 3, 1000, 4800]) {
      let at = 0;
      while (at < pcm.length) {
        frames.push(...framer.push(pcm.subarray(at, at + size)));
        at += size;
      }
      const rest = framer.flush();
      if (rest) frames.push(rest);
      const samples = frames.flatMap((f) => [...f.data]);
      expect(samples.length, `chunks of ${size}`).toBe(pcm.length / 2);
      expect(samples.slice(0, 5)).toEqual([-1000, -999, -998, -997, -996]);
      expect(frames.slice(0, -1).every((f) => f.samplesPerChannel === 240 && f.data.byteOffset === 0)).toBe(
        true,
      );
      expect(new Set(frames.map((f) => f.data.buffer)).size).toBe(frames.length);
      frames.length = 0;
    }
  });
});

describe('utterances from the candidate microphone', () => {
  const first = spoken(answerOne);
  const second = spoken(answerTwo);
  const conversation = concat(silence(500), first, silence(2500), second, silence(2500));
  const firstSpeech = speechExtentMs(first);
  const secondSpeech = speechExtentMs(second);
  const secondAt = 500 + durationOf(first) + 2500;

  it('finds each spoken answer, from just before its first word to just after its last', () => {
    const found = utterances(listen(conversation));
    expect(found.map((u) => u.interrupted)).toEqual([false, false]);
    const [one, two] = found;
    // Kept from 300 ms before the first loud window, to 300 ms after the last.
    expect(one!.startedAtMs).toBeGreaterThanOrEqual(500 + firstSpeech.startMs - 300 - 10);
    expect(one!.startedAtMs).toBeLessThanOrEqual(500 + firstSpeech.startMs - 300 + 10);
    expect(one!.endedAtMs).toBeGreaterThanOrEqual(500 + firstSpeech.endMs + 300 - 20);
    expect(one!.endedAtMs).toBeLessThanOrEqual(500 + firstSpeech.endMs + 300 + 20);
    expect(two!.startedAtMs).toBeCloseTo(secondAt + secondSpeech.startMs - 300, -2);
    expect(two!.endedAtMs).toBeCloseTo(secondAt + secondSpeech.endMs + 300, -2);
    // The end is known after the widget's 1.8 s of silence, as with the HTTP transport.
    for (const [u, speech, at] of [
      [one!, firstSpeech, 500],
      [two!, secondSpeech, secondAt],
    ] as const) {
      const detectionDelay = u.atMs - (at + speech.endMs);
      // Give or take one 10 ms window.
      expect(detectionDelay).toBeGreaterThanOrEqual(1790);
      expect(detectionDelay).toBeLessThanOrEqual(1830);
      expect(u.audio.length).toBe(Math.round(((u.endedAtMs - u.startedAtMs) / 1000) * 16_000));
    }
  });

  it('decides the same with 20 ms stereo frames as with 10 ms mono ones', () => {
    const tens = utterances(listen(conversation, 10, 1));
    const twenties = utterances(listen(conversation, 20, 2));
    expect(twenties.map((u) => [u.startedAtMs, u.endedAtMs])).toEqual(
      tens.map((u) => [u.startedAtMs, u.endedAtMs]),
    );
  });

  it('takes espeak-ng at its own 22,050 Hz as well', () => {
    const native = concat(silence(500, 22_050), spoken(answerOne, 22_050), silence(2500, 22_050));
    const [u] = utterances(listen(native));
    expect(u!.endedAtMs - u!.startedAtMs).toBeCloseTo(firstSpeech.endMs - firstSpeech.startMs + 600, -2);
  });

  it('hands speech-to-text an answer it accepts: 16 kHz mono WAV that sounds like the input', () => {
    const [u] = utterances(listen(conversation));
    const wav = encodeWav(u!.audio, 16_000);
    const inspected = inspectAudio(wav, 'audio/wav');
    expect(inspected.contentType).toBe('audio/wav');
    expect(inspected.durationMs).toBeCloseTo(u!.endedAtMs - u!.startedAtMs, 0);
    const decoded = decodeWav(wav);
    expect([decoded.sampleRate, decoded.channels]).toEqual([16_000, 1]);
    // As loud as the original speech (the resampler keeps the speech band).
    expect(rmsLevel(decoded.samples)).toBeCloseTo(rmsLevel(first.samples), 1);
  });

  it('ignores a click and a short cough, and keeps a pause inside one answer', () => {
    const click = { samples: tone(900, 40, 48_000, 0.6), sampleRate: 48_000 };
    const cough = { samples: tone(300, 110, 48_000, 0.6), sampleRate: 48_000 };
    const events = listen(concat(silence(300), click, silence(800), cough, silence(800)));
    expect(events).toEqual([]);

    const pausing = concat(silence(300), first, silence(900), second, silence(2500));
    const found = utterances(listen(pausing));
    expect(found).toHaveLength(1);
    expect(found[0]!.endedAtMs - found[0]!.startedAtMs).toBeGreaterThan(durationOf(first) + 900);
  });

  it('sends each phrase for an interim caption as it ends, before the whole answer', () => {
    const pausing = concat(silence(300), first, silence(900), second, silence(2500));
    const events = listen(pausing);
    expect(events.map((e) => e.type)).toEqual(['speech', 'phrase', 'phrase', 'utterance']);
    const [, one, two, whole] = events as [
      ListenerEvent,
      Extract<ListenerEvent, { type: 'phrase' }>,
      Extract<ListenerEvent, { type: 'phrase' }>,
      Extract<ListenerEvent, { type: 'utterance' }>,
    ];
    // The first phrase is out 350 ms after its last word, while the answer goes on.
    expect(one.atMs).toBeLessThan(300 + durationOf(first) + 400);
    expect(one.audio.length + two.audio.length).toBe(whole.audio.length);
  });
});

describe('barge-in', () => {
  const answer = spoken(answerOne);
  const extent = speechExtentMs(answer);

  it('stops the interviewer once the candidate has spoken over it for 250 ms, once per utterance', () => {
    const listener = new CandidateListener();
    listener.agentSpeaking = true;
    const events = listen(concat(silence(400), answer, silence(2000)), 10, 1, listener);
    const interrupts = events.filter((e) => e.type === 'interrupt');
    expect(interrupts).toHaveLength(1);
    const delay = interrupts[0]!.atMs - (400 + extent.startMs);
    expect(delay).toBeGreaterThanOrEqual(250);
    expect(delay).toBeLessThanOrEqual(280);
    expect(utterances(events).map((u) => u.interrupted)).toEqual([true]);
  });

  it('lets a short "mm-hm" through without cutting the interviewer off', () => {
    const listener = new CandidateListener();
    listener.agentSpeaking = true;
    const mmhm = { samples: tone(180, 200, 48_000, 0.3), sampleRate: 48_000 };
    const events = listen(concat(silence(400), mmhm, silence(2200)), 10, 1, listener);
    expect(events.filter((e) => e.type === 'interrupt')).toEqual([]);
  });

  it('is no barge-in while the interviewer is silent', () => {
    const events = listen(concat(silence(400), answer, silence(2000)));
    expect(events.filter((e) => e.type === 'interrupt')).toEqual([]);
  });

  it('interrupts at once when the interviewer starts talking over a candidate already speaking', () => {
    const listener = new CandidateListener();
    const frames = framesOf(concat(silence(200), answer, silence(2000)));
    const events: ListenerEvent[] = [];
    frames.forEach((frame, i) => {
      if (i === 150) listener.agentSpeaking = true; // 1.5 s in, mid-sentence
      events.push(...listener.push(frame));
    });
    const interrupt = events.find((e) => e.type === 'interrupt');
    expect(interrupt?.atMs).toBeGreaterThanOrEqual(1500);
    expect(interrupt?.atMs).toBeLessThanOrEqual(1510);
  });
});
