import { expect } from '@open-wc/testing';
import { TranscriptBook } from '../../src/client/transcript-book.ts';

describe('TranscriptBook', () => {
  it('grows an interviewer turn with its deltas, then replaces it with the full text', () => {
    const book = new TranscriptBook();
    book.interviewerDelta('turn_1', 'Hi ');
    expect(book.interviewerDelta('turn_1', 'Ada, ')).to.deep.equal({
      turnId: 'turn_1',
      speaker: 'interviewer',
      text: 'Hi Ada, ',
      final: false,
    });
    expect(book.interviewerDone('turn_1', 'Hi Ada, welcome.')).to.include({
      text: 'Hi Ada, welcome.',
      final: true,
    });
    expect(book.interviewerDelta('turn_1', 'late'), 'a delta after done changes nothing').to.equal(null);
    expect(book.entries).to.have.length(1);
  });

  it('keeps one entry per turn, in the order turns appeared', () => {
    const book = new TranscriptBook();
    book.interviewerDone('turn_1', 'Question one?');
    book.candidate('turn_2', 'I think', false);
    book.candidate('turn_2', 'I think so.', true);
    expect(book.candidate('turn_2', 'stale interim', false)).to.equal(null);
    book.interviewerDelta('turn_3', 'Thanks.');
    expect(book.entries.map((e) => [e.turnId, e.speaker, e.text, e.final])).to.deep.equal([
      ['turn_1', 'interviewer', 'Question one?', true],
      ['turn_2', 'candidate', 'I think so.', true],
      ['turn_3', 'interviewer', 'Thanks.', false],
    ]);
  });

  it('drops an interviewer turn that never finished once the next one starts', () => {
    const book = new TranscriptBook();
    book.interviewerDone('turn_1', 'Question one?');
    book.candidate('turn_2', 'An answer.', true);
    // The model failed mid-turn: no `interviewer.done`; the platform tries the turn again under a new id.
    book.interviewerDelta('turn_3', 'Thanks. Now tell');
    book.interviewerDelta('turn_4', 'Thanks.');
    expect(book.entries.map((e) => [e.turnId, e.text, e.final])).to.deep.equal([
      ['turn_1', 'Question one?', true],
      ['turn_2', 'An answer.', true],
      ['turn_4', 'Thanks.', false],
    ]);
    expect(book.get('turn_3')).to.equal(undefined);
    book.interviewerDone('turn_4', 'Thanks. Now tell me about testing.');
    expect(
      book.entries.every((e) => e.final),
      'nothing left being written',
    ).to.equal(true);
    book.candidate('turn_5', 'By hand.', true);
    expect(book.get('turn_5')).to.include({ text: 'By hand.' });
  });

  it('hands out frozen snapshots', () => {
    const book = new TranscriptBook();
    book.interviewerDelta('turn_1', 'Hi');
    const before = book.entries;
    book.interviewerDelta('turn_1', '!');
    expect(Object.isFrozen(before)).to.equal(true);
    expect(Object.isFrozen(before[0])).to.equal(true);
    expect(before[0]!.text, 'an old snapshot does not change').to.equal('Hi');
    expect(book.entries[0]!.text).to.equal('Hi!');
  });
});
