import { expect } from '@open-wc/testing';
import { PlaybackSchedule } from '../../src/audio/playback-schedule.ts';

describe('PlaybackSchedule', () => {
  it('schedules the pieces of a turn back to back, without gaps', () => {
    const schedule = new PlaybackSchedule(0.05);
    const starts = [0.5, 0.25, 1].map((duration, i) => schedule.place('turn_a', duration, i * 0.01));
    expect(starts).to.deep.equal([0.05, 0.55, 0.8]);
    expect(schedule.endsAt).to.equal(1.8);
    for (const [i, piece] of schedule.pieces.entries()) {
      if (i > 0)
        expect(piece.start, `piece ${i} starts where ${i - 1} ends`).to.equal(schedule.pieces[i - 1]!.end);
    }
  });

  it('a piece that arrives after the last one finished starts just ahead of now', () => {
    const schedule = new PlaybackSchedule(0.05);
    schedule.place('turn_a', 0.5, 0); // plays 0.05 to 0.55
    expect(schedule.place('turn_a', 0.5, 2)).to.equal(2.05);
    expect(schedule.isPlaying(2.3)).to.equal(true);
    expect(schedule.isPlaying(2.55)).to.equal(false);
  });

  it('counts what was heard of a turn, gaps left out', () => {
    const schedule = new PlaybackSchedule(0);
    schedule.place('turn_a', 1, 0); // 0 to 1
    schedule.place('turn_a', 1, 3); // 3 to 4: the second piece came late
    expect(schedule.heardSeconds('turn_a', 0.5)).to.equal(0.5);
    expect(schedule.heardSeconds('turn_a', 2)).to.equal(1);
    expect(schedule.heardSeconds('turn_a', 3.25)).to.equal(1.25);
    expect(schedule.heardSeconds('turn_a', 10)).to.equal(2);
    expect(schedule.heardSeconds('turn_b', 10)).to.equal(0);
  });

  it('knows which turn is being heard', () => {
    const schedule = new PlaybackSchedule(0);
    expect(schedule.turnAt(0)).to.equal(null);
    schedule.place('turn_a', 1, 0);
    schedule.place('turn_b', 1, 0);
    expect(schedule.turnAt(0.5)).to.equal('turn_a');
    expect(schedule.turnAt(1.5)).to.equal('turn_b');
    schedule.clear();
    expect(schedule.endsAt).to.equal(0);
    expect(schedule.place('turn_c', 1, 5)).to.equal(5);
  });
});
