import { expect } from '@open-wc/testing';
import { parseSessionEvent } from '../../src/client/session-event-parser.ts';

const raw = (event: string, data: unknown) => ({ id: '1795389716253-0', event, data: JSON.stringify(data) });

describe('parseSessionEvent', () => {
  it('parses each event of the spec', () => {
    const examples: [string, unknown][] = [
      [
        'state',
        {
          status: 'in_progress',
          question_index: 0,
          question_count: 2,
          time_left_seconds: 1800,
          turn: 'candidate',
        },
      ],
      ['interviewer.delta', { turn_id: 'turn_1', text: 'Hi ' }],
      [
        'interviewer.audio',
        { turn_id: 'turn_1', seq: 0, format: 'mp3', data: '//NExAAAAANIAAAAAExBTUUzLjEwMFVV' },
      ],
      ['interviewer.done', { turn_id: 'turn_1', text: 'Hi Ada.' }],
      ['candidate.transcript', { turn_id: 'turn_2', text: 'I called them back.', final: true }],
      ['interview.completed', { interview_id: 'int_1', reason: 'questions_done' }],
      ['error', { code: 'interviewer_unavailable', message: 'The interviewer could not reply.' }],
    ];
    for (const [event, data] of examples) {
      expect(parseSessionEvent(raw(event, data)), event).to.deep.equal({
        kind: 'event',
        event: { id: '1795389716253-0', event, data },
      });
    }
  });

  it('skips event names it does not know', () => {
    expect(parseSessionEvent(raw('interviewer.thinking', {}))).to.deep.equal({ kind: 'unknown' });
    expect(parseSessionEvent(raw('toString', {}))).to.deep.equal({ kind: 'unknown' });
  });

  it('refuses data that does not match the schema', () => {
    const invalid = [
      { id: '1', event: 'state', data: 'not json' },
      raw('state', ['an array']),
      raw('state', {
        status: 'paused',
        question_index: 0,
        question_count: 2,
        time_left_seconds: 1,
        turn: 'none',
      }),
      raw('state', {
        status: 'in_progress',
        question_index: -1,
        question_count: 2,
        time_left_seconds: 1,
        turn: 'none',
      }),
      raw('interviewer.audio', { turn_id: 'turn_1', seq: 0, format: 'midi', data: '' }),
      raw('candidate.transcript', { turn_id: 'turn_2', text: 'x', final: 'yes' }),
      raw('interview.completed', { interview_id: 'int_1' }),
    ];
    for (const event of invalid) expect(parseSessionEvent(event).kind, event.data).to.equal('invalid');
  });
});
