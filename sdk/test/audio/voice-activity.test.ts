import { expect } from '@open-wc/testing';
import { frameLevel, type VoiceActivity, VoiceActivityDetector } from '../../src/audio/voice-activity.ts';

const frameMs = 50;
const samplesPerFrame = 2048;

/** A frame of a 220 Hz tone at this peak amplitude (its RMS is amplitude / √2). */
function tone(amplitude: number): Float32Array {
  return Float32Array.from(
    { length: samplesPerFrame },
    (_, i) => amplitude * Math.sin((2 * Math.PI * 220 * i) / 48_000),
  );
}

const silence = () => new Float32Array(samplesPerFrame);

/** `[frame, how long]` pieces, played into the detector 50 ms at a time; returns what it said and when. */
function run(detector: VoiceActivityDetector, script: [() => Float32Array, number][]): VoiceActivity[] {
  const heard: VoiceActivity[] = [];
  let at = 0;
  for (const [frame, durationMs] of script) {
    for (let elapsed = 0; elapsed < durationMs; elapsed += frameMs) {
      const activity = detector.push(frame(), at);
      if (activity) heard.push(activity);
      at += frameMs;
    }
  }
  return heard;
}

const speech = () => tone(0.3);

describe('VoiceActivityDetector', () => {
  it('measures a frame as its RMS', () => {
    expect(frameLevel(silence())).to.equal(0);
    expect(frameLevel(tone(0.5))).to.be.closeTo(0.5 / Math.SQRT2, 0.01);
    expect(frameLevel([])).to.equal(0);
  });

  it('hears nothing in silence', () => {
    expect(run(new VoiceActivityDetector(), [[silence, 5000]])).to.deep.equal([]);
  });

  it('an answer: onset, start after startMs, end after silenceMs of silence', () => {
    const detector = new VoiceActivityDetector({ startMs: 150, silenceMs: 1000 });
    const heard = run(detector, [
      [silence, 500],
      [speech, 2000],
      [silence, 1500],
    ]);
    expect(heard).to.deep.equal([
      { type: 'onset', atMs: 500 },
      { type: 'start', atMs: 650, onsetAtMs: 500 },
      // The last speech frame was read at 2450 ms; a second of silence after it ends the answer.
      { type: 'end', atMs: 3450, lastSpeechAtMs: 2450 },
    ]);
    expect(detector.speaking).to.equal(false);
  });

  it('a pause shorter than silenceMs does not end the answer', () => {
    const heard = run(new VoiceActivityDetector({ silenceMs: 1000 }), [
      [speech, 1000],
      [silence, 900],
      [speech, 1000],
      [silence, 1500],
    ]);
    expect(heard.map((a) => a.type)).to.deep.equal(['onset', 'start', 'end']);
  });

  it('a short noise is an onset, then canceled: never a start', () => {
    const heard = run(new VoiceActivityDetector({ startMs: 150, onsetGapMs: 120 }), [
      [speech, 100],
      [silence, 1000],
    ]);
    expect(heard).to.deep.equal([
      { type: 'onset', atMs: 0 },
      { type: 'cancel', atMs: 200 },
    ]);
  });

  it('soft syllables, under the threshold but over its hold ratio, keep the answer going', () => {
    const soft = () => tone(0.02); // RMS 0.014: under 0.02, over 0.02 × 0.5
    const heard = run(new VoiceActivityDetector({ silenceMs: 500 }), [
      [speech, 500],
      [soft, 2000],
      [silence, 600],
    ]);
    expect(heard.map((a) => a.type)).to.deep.equal(['onset', 'start', 'end']);
    expect((heard[2] as { lastSpeechAtMs: number }).lastSpeechAtMs).to.equal(2450);
  });

  it('in a noisy room, the threshold rises above the noise', () => {
    const hum = () => tone(0.025); // RMS 0.018: just under the default threshold
    const detector = new VoiceActivityDetector();
    expect(run(detector, [[hum, 4000]])).to.deep.equal([]);
    expect(detector.threshold).to.be.greaterThan(0.045);
    // A voice as loud as the hum is not speech in this room; a voice well above it is.
    expect(run(detector, [[() => tone(0.06), 1000]])).to.deep.equal([]);
    expect(run(detector, [[() => tone(0.4), 400]]).map((a) => a.type)).to.deep.equal(['onset', 'start']);
  });

  it('reset forgets speech in progress', () => {
    const detector = new VoiceActivityDetector();
    run(detector, [[speech, 500]]);
    expect(detector.speaking).to.equal(true);
    detector.reset();
    expect(detector.speaking).to.equal(false);
    expect(detector.push(silence(), 10_000)).to.equal(null);
  });

  it('is deterministic: the same frames, the same answer', () => {
    const script: [() => Float32Array, number][] = [
      [silence, 300],
      [speech, 700],
      [silence, 2000],
      [speech, 100],
      [silence, 500],
    ];
    expect(run(new VoiceActivityDetector(), script)).to.deep.equal(run(new VoiceActivityDetector(), script));
  });
});
