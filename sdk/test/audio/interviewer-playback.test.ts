import { expect } from '@open-wc/testing';
import { InterviewerPlayback } from '../../src/audio/interviewer-playback.ts';

/** A mono 16-bit WAV of a tone, as base64 pieces cut at the given offsets (as a speech stream arrives). */
function wavPieces(seconds: number, cuts: number[]): string[] {
  const sampleRate = 24_000;
  const samples = Math.round(seconds * sampleRate);
  const bytes = new Uint8Array(44 + samples * 2);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) view.setInt16(44 + i * 2, Math.round(8000 * Math.sin(i / 10)), true);
  const bounds = [0, ...cuts, bytes.length];
  return bounds.slice(1).map((end, i) => btoa(String.fromCharCode(...bytes.subarray(bounds[i], end))));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 25) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('InterviewerPlayback', () => {
  let context: AudioContext;
  beforeEach(async () => {
    context = new AudioContext();
    await context.resume();
  });
  afterEach(async () => {
    await context.close();
  });

  it('plays a turn’s pieces as they come, and says when it stops', async () => {
    const changes: boolean[] = [];
    const playback = new InterviewerPlayback({
      context,
      onPlayingChange: (playing) => changes.push(playing),
    });
    for (const piece of wavPieces(0.4, [1001, 9001])) playback.push('turn_1', 'wav', piece);
    playback.turnDone('turn_1');
    await sleep(100);
    expect(playback.playing).to.equal(true);
    expect(playback.speaking).to.equal(true);
    await sleep(600);
    expect(playback.playing).to.equal(false);
    expect(changes).to.deep.equal([true, false]);
    playback.close();
  });

  it('an interruption stops it at once, reports what was heard, and drops the rest of the turn', async () => {
    const playback = new InterviewerPlayback({ context, onPlayingChange: () => {} });
    const pieces = wavPieces(3, [48_000, 96_000]);
    playback.push('turn_1', 'wav', pieces[0]!);
    playback.push('turn_1', 'wav', pieces[1]!);
    await sleep(600);
    const interrupted = playback.interrupt();
    expect(interrupted?.turnId).to.equal('turn_1');
    expect(interrupted!.heardMs, 'about the time it played').to.be.within(200, 1500);
    expect(playback.playing).to.equal(false);
    playback.push('turn_1', 'wav', pieces[2]!);
    playback.turnDone('turn_1');
    await sleep(100);
    expect(playback.playing, 'the rest of the interrupted turn stays silent').to.equal(false);
    expect(playback.interrupt(), 'nothing left to interrupt').to.equal(null);

    // The next turn plays.
    for (const piece of wavPieces(0.3, [500])) playback.push('turn_2', 'wav', piece);
    await sleep(100);
    expect(playback.playing).to.equal(true);
    playback.close();
  });

  it('drops a turn whose audio never completed when the next turn’s audio comes', async () => {
    const playback = new InterviewerPlayback({ context, onPlayingChange: () => {} });
    // Half a second of a turn, then no `interviewer.done`: the model failed, and the platform tries again.
    playback.push('turn_1', 'wav', wavPieces(3, [24_044])[0]!);
    await until(() => playback.playing, 'the first turn playing');
    for (const piece of wavPieces(0.3, [500])) playback.push('turn_2', 'wav', piece);
    playback.turnDone('turn_2');
    await until(
      () => !playback.playing && !playback.speaking,
      'the interviewer silent, with no turn left arriving',
    );
    expect(playback.interrupt(), 'nothing to interrupt').to.equal(null);
    playback.close();
  });

  it('speaks only the last turn when every earlier one comes again at once (a page reconnecting from the start)', async () => {
    const playback = new InterviewerPlayback({ context, onPlayingChange: () => {} });
    // What the platform kept, in one burst: two earlier replies, complete, then the current one.
    for (const turnId of ['turn_1', 'turn_2']) {
      for (const piece of wavPieces(2, [24_044])) playback.push(turnId, 'wav', piece);
      playback.turnDone(turnId);
    }
    for (const piece of wavPieces(2, [24_044])) playback.push('turn_3', 'wav', piece);
    playback.turnDone('turn_3');
    await until(() => playback.playing, 'the interviewer heard');
    expect(playback.interrupt()?.turnId, 'the turn heard first').to.equal('turn_3');
    playback.close();
  });

  it('a turn heard plays to its end; one waiting behind it goes when a newer turn comes', async () => {
    const playback = new InterviewerPlayback({ context, onPlayingChange: () => {} });
    for (const piece of wavPieces(1, [24_044])) playback.push('turn_1', 'wav', piece);
    playback.turnDone('turn_1');
    await until(() => playback.playing, 'the first turn playing');
    await sleep(300);
    // Heard for a while; it ends in about 0.7 s.
    const heardAt = context.currentTime;
    // Decoded, and placed on the clock behind the first turn...
    for (const piece of wavPieces(3, [24_044])) playback.push('turn_2', 'wav', piece);
    playback.turnDone('turn_2');
    await sleep(200);
    // ...when the next turn comes: that one follows the first instead.
    for (const piece of wavPieces(3, [24_044])) playback.push('turn_3', 'wav', piece);
    playback.turnDone('turn_3');
    await sleep(200);
    expect(playback.playing, 'the first turn plays on').to.equal(true);
    await until(() => context.currentTime > heardAt + 2, 'a second into what follows the first turn');
    expect(playback.interrupt()?.turnId).to.equal('turn_3');
    playback.close();
  });
});
