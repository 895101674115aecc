import { expect } from '@open-wc/testing';
import { pickRecordingType } from '../../src/audio/answer-recorder.ts';
import { frameLevel } from '../../src/audio/voice-activity.ts';
import type { InterviewClient } from '../../src/client/interview-client.ts';
import type { Speaking, TranscriptEntry } from '../../src/client/types.ts';
import {
  clientFor,
  closeClients,
  newSession,
  proxy,
  proxyLog,
  recordingAudio,
  serverRecording,
  serverTranscript,
  until,
  untilState,
} from '../client/platform.ts';
import { fakeTranscript } from '../support/protocol.ts';

/**
 * Voice, end to end: Chromium's fake microphone speaks test/fixtures/answer.wav in a loop (half a second of
 * silence, the sentence, a second of silence). Live-mode sessions take audio answers, heard by the fake
 * speech-to-text server (which always hears `fakeTranscript`), and the interviewer speaks through the fake
 * text-to-speech (silent MP3, about as long as the words would take to say).
 */

// The fixture's pause after the sentence is a second: a shorter silence ends each spoken answer.
const silenceMs = 700;

function levels(client: InterviewClient): number[] {
  const seen: number[] = [];
  client.addEventListener('level', (event) => seen.push(event.detail));
  return seen;
}

function candidateEntries(client: InterviewClient): TranscriptEntry[] {
  return client.transcript.filter((entry) => entry.speaker === 'candidate');
}

describe('InterviewClient voice', () => {
  afterEach(() => closeClients());

  it('picks WebM Opus when the platform takes it, else the first accepted type the browser records', () => {
    const accepted = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/wav'];
    expect(pickRecordingType(accepted, () => true)).to.equal('audio/webm;codecs=opus');
    expect(pickRecordingType(accepted, (t) => t.startsWith('audio/ogg'))).to.equal('audio/ogg;codecs=opus');
    expect(pickRecordingType(['audio/wav'], (t) => t === 'audio/webm;codecs=opus')).to.equal(null);
    expect(pickRecordingType(accepted, (t) => MediaRecorder.isTypeSupported(t))).to.equal(
      'audio/webm;codecs=opus',
    );
  });

  it('opens the microphone for the check: the level moves, nothing is sent', async () => {
    const session = await newSession({ live: true, proxy: true });
    const { client } = clientFor(session);
    await client.load();
    const seen = levels(client);
    await client.openMicrophone();
    await until(
      () => seen.some((level) => level > 0.2),
      () => `levels so far: ${seen.slice(-20).map((l) => l.toFixed(2))}`,
      8000,
    );
    expect(seen.every((level) => level >= 0 && level <= 1)).to.equal(true);
    const microphones = await client.listMicrophones();
    expect(microphones.length).to.be.greaterThan(0);
    expect(microphones.every((device) => device.kind === 'audioinput')).to.equal(true);
    expect(client.state.status, 'still before the start').to.equal('ready');
    expect((await proxyLog(session)).filter((e) => e.method === 'POST')).to.deep.equal([]);

    client.closeMicrophone();
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.length, 'no level events once closed').to.equal(count);
  });

  it('lets go of a microphone whose permission came after it was closed', async () => {
    const session = await newSession({ live: true });
    const { client } = clientFor(session);
    await client.load();
    const seen = levels(client);
    // The candidate chose to type while the permission prompt was still up, then allowed it.
    const opening = client.openMicrophone();
    client.closeMicrophone();
    await opening;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen, 'no level events: the device is not listened to').to.deep.equal([]);
  });

  it('answers by voice: a spoken answer reaches the platform as audio, and interrupts the interviewer', async function () {
    this.timeout(60_000);
    const session = await newSession({ live: true, proxy: true });
    const { client } = clientFor(session, { silenceMs });
    const speaking: Speaking[] = [];
    client.addEventListener('state', (event) => {
      if (speaking.at(-1) !== event.detail.speaking) speaking.push(event.detail.speaking);
    });
    await client.load();
    await client.openMicrophone();
    await client.start(); // by voice: the session takes audio and the microphone is open
    expect(client.state.listening).to.equal(true);

    await until(
      () => candidateEntries(client).length > 0,
      () => `no spoken answer yet; speaking went ${JSON.stringify(speaking)}`,
      30_000,
    );
    const [answer] = candidateEntries(client);
    expect(answer).to.include({ text: fakeTranscript, final: true });

    const transcript = await serverTranscript(session.interviewId);
    const turn = transcript.turns.find((t) => t.id === answer!.turnId);
    expect(turn, JSON.stringify(transcript.turns, null, 1)).to.include({
      speaker: 'candidate',
      has_audio: true,
    });

    const recording = await serverRecording(session.interviewId);
    const segment = recording.segments.find((s) => s.turn_id === answer!.turnId);
    expect(segment, JSON.stringify(recording)).to.include({
      speaker: 'candidate',
      content_type: 'audio/webm',
    });
    expect(segment!.duration_ms, 'the sentence, from its onset to the silence after it').to.be.within(
      1500,
      8000,
    );

    // The upload is the voice, not silence: decode it here and measure it.
    const audio = await recordingAudio(session.interviewId, answer!.turnId);
    const decoded = await new OfflineAudioContext(1, 48_000, 48_000).decodeAudioData(audio!.bytes.buffer);
    expect(decoded.duration).to.be.greaterThan(1);
    expect(frameLevel(decoded.getChannelData(0)), 'the recorded answer is not silent').to.be.greaterThan(
      0.01,
    );

    // The fake microphone spoke while the greeting's audio was still playing: a barge-in.
    expect(speaking, 'the interviewer was heard, then the candidate').to.include.members([
      'interviewer',
      'candidate',
    ]);
    const greeting = transcript.turns[0]!;
    await until(
      async () => (await serverTranscript(session.interviewId)).turns[0]!.interrupted_at_ms !== null,
      () => `the greeting ${greeting.id} was never reported interrupted`,
      5000,
    );
    const interrupted = (await serverTranscript(session.interviewId)).turns[0]!.interrupted_at_ms!;
    expect(interrupted, 'heard at most the time since the start').to.be.within(1, 10_000);
  });

  it('an error that stops the interview stops the voice, and retry() brings it back', async function () {
    this.timeout(90_000);
    // The real microphone, with its tracks kept, to tell whether the device is still in use.
    const tracks: MediaStreamTrack[] = [];
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      tracks.push(...stream.getAudioTracks());
      return stream;
    };
    try {
      const session = await newSession({ live: true, proxy: true });
      const { client } = clientFor(session, { silenceMs });
      await client.load();
      await client.openMicrophone();
      await client.start();
      await untilState(
        client,
        (s) => s.turn === 'candidate' && s.listening,
        'the candidate’s turn, by voice',
      );
      const answerPosts = async () =>
        (await proxyLog(session)).filter((e) => e.method === 'POST' && e.path === '/v1/session/answers');

      // The model fails mid-interview: the platform says so on the stream, and the error screen would show.
      await proxy(session, {
        action: 'inject-event',
        event: 'error',
        data: { code: 'interviewer_unavailable', message: 'The interviewer could not reply.' },
      });
      await untilState(client, (s) => s.status === 'error', 'the error');
      expect(client.state).to.include({ listening: false, speaking: null });
      expect(
        tracks.map((track) => track.readyState),
        'the microphone is released',
      ).to.not.include('live');
      // An answer finished just before the error may still go: it was given while the interview ran.
      await untilState(client, (s) => s.pendingAnswers === 0, 'answers given before the error delivered');
      const before = (await answerPosts()).length;
      const seen = levels(client);
      // Longer than one loop of the fixture: it speaks at least once in this time.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      expect(seen, 'no level: the microphone is closed').to.deep.equal([]);
      expect(client.state.pendingAnswers, 'nothing recorded while the interview is stopped').to.equal(0);
      expect(await answerPosts(), 'nothing sent').to.have.length(before);

      const answered = candidateEntries(client).length;
      await client.retry();
      expect(client.state.status).to.equal('live');
      await untilState(client, (s) => s.listening, 'listening again');
      expect(tracks.at(-1)!.readyState, 'a microphone open again').to.equal('live');
      await until(
        () => candidateEntries(client).length > answered,
        () =>
          `no spoken answer after retry(); the state is ${JSON.stringify({ ...client.state, session: '…' })}`,
        45_000,
      );
    } finally {
      navigator.mediaDevices.getUserMedia = getUserMedia;
    }
  });

  it('a page reloaded mid-interview speaks the current turn, not the interview again', async function () {
    this.timeout(90_000);
    const session = await newSession({ live: true });
    // The interview so far, typed on a first page: each of the interviewer's replies has its audio.
    const { client: first } = clientFor(session);
    await first.load();
    await first.start({ voice: false });
    await untilState(first, (s) => s.turn === 'candidate', 'the candidate’s first turn');
    await first.sendText(
      'I rebuilt the date picker for keyboard and screen reader users across every product.',
    );
    await untilState(first, (s) => s.turn === 'candidate' && s.questionIndex === 1, 'the second question');
    first.close();

    // What the interviewer's voice puts on the audio clock, and takes off it before it is heard.
    const pieces = new Map<AudioBufferSourceNode, { seconds: number; at: number; stoppedAt?: number }>();
    const { start, stop } = AudioBufferSourceNode.prototype;
    AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, when = 0, ...rest) {
      pieces.set(this, { seconds: this.buffer?.duration ?? 0, at: Math.max(when, this.context.currentTime) });
      return start.call(this, when, ...rest);
    };
    AudioBufferSourceNode.prototype.stop = function (this: AudioBufferSourceNode, ...args) {
      const piece = pieces.get(this);
      if (piece) piece.stoppedAt ??= this.context.currentTime;
      return stop.apply(this, args);
    };
    try {
      // The reload: the same token, no Last-Event-ID, so every reply's audio comes again, at once.
      const { client } = clientFor(session, { silenceMs });
      await client.load();
      await client.openMicrophone();
      client.setMuted(true); // the fake microphone would speak over the interviewer
      await client.start({ voice: true });
      await untilState(
        client,
        (s) => s.status === 'live' && s.turn === 'candidate' && s.questionIndex === 1,
        'the second question again',
      );
      await untilState(client, (s) => s.speaking === 'interviewer', 'the interviewer heard');
      // Every piece sent again is decoded and placed by now.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      AudioBufferSourceNode.prototype.start = start;
      AudioBufferSourceNode.prototype.stop = stop;
    }
    const heard = (piece: { seconds: number; at: number; stoppedAt?: number }) =>
      piece.stoppedAt === undefined
        ? piece.seconds
        : Math.min(piece.seconds, Math.max(0, piece.stoppedAt - piece.at));
    const heardSeconds = [...pieces.values()].reduce((sum, piece) => sum + heard(piece), 0);
    // The replies' own audio, as the platform recorded it: the greeting with the first question, then the
    // second question.
    const transcript = await serverTranscript(session.interviewId);
    const replies = transcript.turns.filter((turn) => turn.speaker === 'interviewer');
    const lengths = await Promise.all(
      replies.map(async (turn) => {
        const audio = await recordingAudio(session.interviewId, turn.id);
        return (await new OfflineAudioContext(1, 44_100, 44_100).decodeAudioData(audio!.bytes.buffer))
          .duration;
      }),
    );
    const summary = JSON.stringify({ heardSeconds, lengths, pieces: [...pieces.values()] });
    expect(lengths, summary).to.have.length(2);
    expect(heardSeconds, `the second question alone: ${summary}`).to.be.within(
      lengths[1]! - 0.5,
      lengths[1]! + 0.5,
    );
  });

  it('muted, nothing is heard or sent; the microphone stays open', async function () {
    this.timeout(60_000);
    const session = await newSession({ live: true, proxy: true });
    const { client } = clientFor(session, { silenceMs });
    await client.load();
    await client.openMicrophone();
    client.setMuted(true);
    await client.start({ voice: true });
    await untilState(client, (s) => s.turn === 'candidate', 'the candidate’s turn');
    const seen = levels(client);
    // Longer than one loop of the fixture: it speaks at least once in this time.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(client.state).to.include({ muted: true, listening: true, pendingAnswers: 0 });
    expect(Math.max(...seen), 'a muted microphone reads silence').to.equal(0);
    expect(client.state.speaking).to.not.equal('candidate');
    const answers = (await proxyLog(session)).filter(
      (e) => e.method === 'POST' && e.path === '/v1/session/answers',
    );
    expect(answers, 'nothing sent while muted').to.deep.equal([]);

    client.setMuted(false);
    await until(
      () => candidateEntries(client).length > 0,
      () => `no spoken answer after unmuting; levels ${seen.slice(-10)}`,
      30_000,
    );
  });
});
