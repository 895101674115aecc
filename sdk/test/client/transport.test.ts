import { expect } from '@open-wc/testing';
import { isInterviewer, parseAgentMessage } from '../../src/audio/agent-messages.ts';
import { answerSilenceMs } from '../../src/audio/answer-silence.ts';
import { chooseTransport } from '../../src/audio/voice-transport.ts';
import { SessionApi } from '../../src/client/session-api.ts';
import { TranscriptBook } from '../../src/client/transcript-book.ts';

const utf8 = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('choosing the voice transport', () => {
  it('joins LiveKit only for a voice interview the platform offers it for, unless told to use HTTP', () => {
    expect(chooseTransport(['http', 'livekit'], 'auto', true)).to.equal('livekit');
    expect(chooseTransport(['livekit', 'http'], 'auto', true)).to.equal('livekit');
    expect(chooseTransport(['http'], 'auto', true), 'not offered').to.equal('http');
    expect(chooseTransport([], 'auto', true), 'an older platform').to.equal('http');
    expect(chooseTransport(['http', 'livekit'], 'http', true), 'the integrator says http').to.equal('http');
    expect(chooseTransport(['http', 'livekit'], 'auto', false), 'answers by text').to.equal('http');
  });
});

describe('the silence that ends a spoken answer', () => {
  it('stays within what the LiveKit agent takes, so an answer ends alike over either transport', () => {
    expect(answerSilenceMs(undefined), 'the default').to.equal(1800);
    expect(answerSilenceMs(700)).to.equal(700);
    expect(answerSilenceMs(300)).to.equal(300);
    expect(answerSilenceMs(10_000)).to.equal(10_000);
    expect(answerSilenceMs(100), 'too short').to.equal(300);
    expect(answerSilenceMs(-5), 'negative').to.equal(300);
    expect(answerSilenceMs(60_000), 'too long').to.equal(10_000);
    expect(answerSilenceMs(1234.6), 'whole milliseconds').to.equal(1235);
    expect(answerSilenceMs(Number.NaN), 'not a number (a garbled attribute)').to.equal(1800);
  });

  it('is sent with the request for the room, for its agent', async () => {
    const sent: { url: string; method: string | undefined; body: unknown; contentType: string | null }[] = [];
    const api = new SessionApi({
      apiBase: 'https://viva.example/',
      sessionToken: 'st_test',
      fetch: async (input, init) => {
        sent.push({
          url: String(input),
          method: init?.method,
          body: JSON.parse(String(init?.body)),
          contentType: new Headers(init?.headers).get('content-type'),
        });
        return Response.json({
          object: 'livekit_session',
          url: 'wss://livekit.example',
          room: 'viva-int_1',
          identity: 'candidate-int_1',
          token: 'lk',
          expires_at: '2026-01-01T00:00:00.000Z',
        });
      },
    });
    const grant = await api.joinLiveKit({ silenceMs: 700 });
    expect(grant.room).to.equal('viva-int_1');
    expect(sent).to.deep.equal([
      {
        url: 'https://viva.example/v1/session/livekit',
        method: 'POST',
        body: { silence_ms: 700 },
        contentType: 'application/json',
      },
    ]);
  });
});

describe('who the widget listens to in the room', () => {
  it('is the interviewer agent alone: its identity, joined as an agent', () => {
    expect(isInterviewer({ identity: 'interviewer', isAgent: true })).to.equal(true);
    expect(isInterviewer({ identity: 'interviewer', isAgent: false }), 'a participant posing as it').to.equal(
      false,
    );
    expect(isInterviewer({ identity: 'candidate-int_1', isAgent: false }), 'the candidate').to.equal(false);
    expect(isInterviewer({ identity: 'transcriber', isAgent: true }), 'another agent').to.equal(false);
    expect(isInterviewer(undefined), 'a packet from the server').to.equal(false);
  });
});

describe("the interviewer agent's data packets", () => {
  it('reads its state and the interim captions, on the viva topic', () => {
    for (const state of ['listening', 'thinking', 'speaking'] as const) {
      expect(parseAgentMessage(utf8({ type: 'agent.state', data: { state } }), 'viva')).to.deep.equal({
        type: 'agent.state',
        state,
      });
    }
    expect(
      parseAgentMessage(utf8({ type: 'candidate.partial', data: { text: 'I built a' } }), 'viva'),
    ).to.deep.equal({ type: 'candidate.partial', text: 'I built a' });
    expect(
      parseAgentMessage(utf8({ type: 'candidate.partial', data: { text: 'Olá, ça va 👋' } }), 'viva'),
      'UTF-8',
    ).to.deep.equal({ type: 'candidate.partial', text: 'Olá, ça va 👋' });
  });

  it('ignores forwarded session events, other topics, unknown types and anything malformed', () => {
    const ignored: [Uint8Array, string | undefined, string][] = [
      [
        utf8({ type: 'interviewer.delta', id: '7', data: { turn_id: 't', text: 'Hi' } }),
        'viva',
        'a session event',
      ],
      [utf8({ type: 'agent.state', data: { state: 'speaking' } }), 'lk.chat', 'another topic'],
      [utf8({ type: 'agent.state', data: { state: 'speaking' } }), undefined, 'no topic'],
      [utf8({ type: 'agent.state', data: { state: 'dancing' } }), 'viva', 'an unknown state'],
      [utf8({ type: 'agent.mood', data: { mood: 'calm' } }), 'viva', 'an unknown type'],
      [utf8({ type: 'candidate.partial', data: { text: 42 } }), 'viva', 'text not a string'],
      [utf8({ type: 'candidate.partial', text: 'flat' }), 'viva', 'no data object'],
      [utf8({ type: 'candidate.partial', data: null }), 'viva', 'null data'],
      [utf8('not json {'), 'viva', 'not JSON'],
      [utf8('"a string"'), 'viva', 'JSON, not an object'],
      [utf8('null'), 'viva', 'JSON null'],
      [new Uint8Array([0xff, 0xfe, 0x00]), 'viva', 'not UTF-8 JSON'],
    ];
    for (const [payload, topic, what] of ignored) {
      expect(parseAgentMessage(payload, topic), what).to.equal(null);
    }
  });
});

describe('interim captions over LiveKit', () => {
  it("hold a place for the candidate's words until the turn's transcript takes it over", () => {
    const book = new TranscriptBook();
    book.interviewerDone('turn_1', 'Question one?');
    book.candidatePartial('I built');
    const partial = book.candidatePartial('I built a design');
    expect(partial).to.include({ speaker: 'candidate', text: 'I built a design', final: false });
    expect(book.entries).to.have.length(2);

    book.candidate('turn_2', 'I built a design system.', true);
    expect(book.entries.map((e) => [e.turnId, e.speaker, e.text, e.final])).to.deep.equal([
      ['turn_1', 'interviewer', 'Question one?', true],
      ['turn_2', 'candidate', 'I built a design system.', true],
    ]);
    expect(book.candidatePartial('design system'), 'a late interim caption is stale').to.equal(null);

    book.interviewerDelta('turn_3', 'Thanks. ');
    book.candidatePartial('Next');
    book.candidate('turn_4', 'Next answer.', true);
    expect(book.entries.map((e) => e.turnId)).to.deep.equal(['turn_1', 'turn_2', 'turn_3', 'turn_4']);
  });

  it('drop an interim caption no answer came of when the interviewer speaks again', () => {
    const book = new TranscriptBook();
    book.interviewerDone('turn_1', 'Question one?');
    book.candidatePartial('hmm');
    expect(book.candidatePartial('   '), 'nothing heard').to.equal(null);
    book.interviewerDelta('turn_2', 'Take your time.');
    expect(book.entries.map((e) => [e.turnId, e.text])).to.deep.equal([
      ['turn_1', 'Question one?'],
      ['turn_2', 'Take your time.'],
    ]);
    expect(book.get('turn_2')).to.include({ text: 'Take your time.' });
  });
});
