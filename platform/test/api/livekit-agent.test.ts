import { setTimeout as sleep } from 'node:timers/promises';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimAgents, markSpoken } from '../../src/livekit/agent-requests.ts';
import { LiveKitAgentWorker } from '../../src/livekit/agent-worker.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { jobInput } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { shapeOf, transcriptOf } from '../support/interview-flow.ts';
import { MemoryLiveKit, type MemoryRoom } from '../support/memory-room.ts';
import { openSession } from '../support/sessions.ts';
import { concat, decodeWav, silence, spoken } from '../support/speech.ts';
import { SseClient } from '../support/sse-client.ts';

/**
 * The interviewer agent in a LiveKit room, on the real platform (engine, event bus, database, blob store)
 * with a fake OpenAI-compatible server behind the real `openai` client. The room is in memory (no LiveKit
 * server can run here): the agent hears real speech (espeak-ng) as 48 kHz frames, and its voice plays out
 * at a steady pace as it would into an AudioSource.
 */
const livekitEnv = {
  LIVEKIT_URL: 'wss://livekit.acme.example',
  LIVEKIT_API_KEY: 'APIwQm4s7UhX3pT',
  LIVEKIT_API_SECRET: 'tkUQy0XKpFJ8sWbLzR2c6vNnEa9dHoMg',
  // Each test runs its own workers, with the in-memory room.
  VIVA_LIVEKIT_AGENT_WORKER: 'false',
};
const heard = 'I built a ledger with idempotent writes and nightly reconciliation.';
const job = { ...jobInput, settings: { max_follow_ups: 0 } };
const answer = concat(
  silence(300),
  spoken('I designed the payments ledger at my last company.'),
  silence(2200),
);

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;
let fake: FakeOpenAi;
const workers: LiveKitAgentWorker[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  fake.setChatScript((messages) => {
    const instruction = messages.at(-1)?.content ?? '';
    if (instruction.includes('Close the interview') || instruction.includes('say goodbye')) {
      return { chunks: ['[NEXT] Thank you for your time. ', 'Goodbye!'], delayMs: 10 };
    }
    if (instruction.includes('Open the interview')) {
      return {
        chunks: ['Hello, I am Viva. ', 'We have two questions. ', `${job.questions[0]!.text}`],
        delayMs: 10,
      };
    }
    return { chunks: ['[NEXT] Thanks. ', `${job.questions[1]!.text}`], delayMs: 10 };
  });
  fake.setTranscript(() => heard);
  test = await startTestPlatform({
    OPENAI_API_KEY: 'sk-fake',
    LLM_BASE_URL: fake.baseUrl,
    STT_BASE_URL: fake.baseUrl,
    TTS_BASE_URL: fake.baseUrl,
    VIVA_SCORING_WORKER: 'false',
    ...livekitEnv,
  });
  api = apiClient(test.url);
  tenant = await createTestTenant(api);
});
/** No agent wanted any more: the next workers start from an empty queue. */
async function endAllAgents(): Promise<void> {
  await test.platform.services.db.orm.em
    .fork()
    .getConnection()
    .execute('update interview_agents set ended_at = now() where ended_at is null');
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await endAllAgents();
});
afterAll(async () => {
  await test?.stop();
  await fake?.stop();
});

function startWorker(
  livekit: MemoryLiveKit,
  options: { leaseSeconds?: number; connectTimeoutMs?: number } = {},
): LiveKitAgentWorker {
  const { services } = test.platform;
  const worker = new LiveKitAgentWorker({
    orm: services.db.orm,
    logger: services.logger,
    config: services.config.livekit!,
    engine: services.engine,
    bus: services.bus,
    providers: services.providers,
    connector: livekit,
    idleMs: 20,
    leaseSeconds: options.leaseSeconds ?? 3,
    candidateGraceMs: 10_000,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  workers.push(worker);
  worker.start();
  return worker;
}

async function voiceInterview() {
  const { interviewId, token } = await openSession(api, tenant.liveKey, job);
  const joined = await api.call<{ room: string; token: string }>('POST', '/v1/session/livekit', {
    key: token,
  });
  expect(joined.status, describeResponse(joined)).toBe(200);
  return { interviewId, token, events: new SseClient(`${test.url}/v1/session/events`, token) };
}

/** Waits until the agent has spoken `turns` turns in all and gone back to listening. */
async function spokeAndListens(room: MemoryRoom, turns: number, what: string): Promise<void> {
  await room.until(
    () =>
      room.states().filter((s) => s === 'speaking').length >= turns && room.states().at(-1) === 'listening',
    what,
  );
}

async function agentRow(interviewId: string) {
  const rows = await test.platform.services.db.orm.em.fork().getConnection().execute<
    {
      ended_at: Date | null;
      end_reason: string | null;
      spoken_turn_id: string | null;
      holder: string | null;
    }[]
  >('select ended_at, end_reason, spoken_turn_id, holder from interview_agents where interview_id = ?', [
    interviewId,
  ]);
  return rows[0]!;
}

const transcriptions = () => fake.requests.filter((r) => r.path === '/v1/audio/transcriptions');

describe('the interviewer agent in a LiveKit room', () => {
  it('holds a whole interview by voice, leaving the transcript, recording and events of the HTTP transport', async () => {
    const livekit = new MemoryLiveKit(20);
    startWorker(livekit);
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);

    // The agent's own token: the interviewer, an agent, in this room only.
    const { payload } = await jwtVerify(
      livekit.connections[0]!.token,
      new TextEncoder().encode(livekitEnv.LIVEKIT_API_SECRET),
      { issuer: livekitEnv.LIVEKIT_API_KEY, subject: 'interviewer' },
    );
    expect(payload).toMatchObject({ kind: 'agent', name: 'Viva', video: { room: `viva-${interviewId}` } });
    expect(livekit.connections[0]).toMatchObject({
      url: livekitEnv.LIVEKIT_URL,
      candidateIdentity: `candidate-${interviewId}`,
    });

    room.joinCandidate();
    const started = await api.call('POST', '/v1/session/start', { key: token });
    expect(started.status, describeResponse(started)).toBe(200);
    await spokeAndListens(room, 1, 'the intro, spoken');
    expect(room.output.capturedMs).toBeGreaterThan(1000);

    const sttBefore = transcriptions().length;
    // In real time, so the interim caption of its phrase arrives while the answer is still open.
    await room.say(answer, { realtime: true });
    const first = await events.next((e) => e.event === 'candidate.transcript');
    expect(first.data).toMatchObject({ text: heard, final: true });
    // The committed answer went to speech-to-text as 16 kHz mono WAV, the utterance and no more.
    const finals = transcriptions().slice(sttBefore);
    const wav = decodeWav(finals.at(-1)!.form!.files[0]!.bytes);
    expect(finals.at(-1)!.form!.files[0]!.contentType).toBe('audio/wav');
    expect([wav.sampleRate, wav.channels]).toEqual([16_000, 1]);
    expect(wav.samples.length / 16).toBeGreaterThan(2500);
    expect(wav.samples.length / 16).toBeLessThan(3600);
    expect(room.messages.some((m) => m.type === 'candidate.partial' && m.data.text === heard)).toBe(true);

    await events.nextAfter(events.events.indexOf(first), 'interviewer.done');
    await spokeAndListens(room, 2, 'the second question, spoken');
    await room.say(answer);
    await events.next((e) => e.event === 'interview.completed', 20_000);
    // The agent says goodbye, then leaves, and is not wanted again.
    await room.until(() => !room.connected, 'the agent to leave');
    await expect
      .poll(() => agentRow(interviewId))
      .toMatchObject({ end_reason: 'interview_over', holder: null });
    events.close();

    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    expect(shapeOf(turns)).toEqual([
      'interviewer:intro',
      'candidate:answer',
      'interviewer:question',
      'candidate:answer',
      'interviewer:closing',
    ]);
    expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).toEqual([heard, heard]);
    const recording = await api.call<{
      segments: { speaker: string; content_type: string; duration_ms: number | null }[];
    }>('GET', `/v1/interviews/${interviewId}/recording`, { key: tenant.liveKey });
    expect(recording.status, describeResponse(recording)).toBe(200);
    expect(recording.body.segments.map((s) => [s.speaker, s.content_type])).toEqual([
      ['interviewer', 'audio/mpeg'],
      ['candidate', 'audio/wav'],
      ['interviewer', 'audio/mpeg'],
      ['candidate', 'audio/wav'],
      ['interviewer', 'audio/mpeg'],
    ]);
    for (const segment of recording.body.segments.filter((s) => s.speaker === 'candidate')) {
      expect(segment.duration_ms).toBeGreaterThan(2500);
    }

    // Its voice is PCM from text-to-speech, beside the engine's own speech for the recording and the stream.
    const speech = fake.requests
      .filter((r) => r.path === '/v1/audio/speech')
      .map((r) => r.body as Record<string, string>);
    expect(speech.some((b) => b.response_format === 'pcm')).toBe(true);
    expect(speech.some((b) => b.response_format === 'mp3')).toBe(true);
    // States, and the session's events as the stream has them (not the audio: that is the agent's track).
    expect(room.states()).toEqual(expect.arrayContaining(['listening', 'thinking', 'speaking']));
    const forwarded = room.messages.filter((m) => m.id);
    expect(forwarded.map((m) => m.type)).toEqual(
      expect.arrayContaining([
        'state',
        'interviewer.delta',
        'interviewer.done',
        'candidate.transcript',
        'interview.completed',
      ]),
    );
    expect(forwarded.some((m) => m.type === 'interviewer.audio')).toBe(false);
    const sse = events.events.find((e) => e.event === 'interview.completed')!;
    expect(forwarded.find((m) => m.type === 'interview.completed')).toEqual({
      type: 'interview.completed',
      id: sse.id,
      data: sse.data,
    });
  });

  it('stops speaking when the candidate talks over it, and records how much was heard', async () => {
    const livekit = new MemoryLiveKit(1);
    startWorker(livekit);
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    const intro = await events.next((e) => e.event === 'interviewer.done');
    await room.until(() => room.states().includes('speaking'), 'the agent to start speaking');
    await sleep(700);
    await room.say(answer);

    await room.until(() => room.states().at(-1) !== 'speaking', 'the agent to stop');
    expect(room.output.clears).toBeGreaterThanOrEqual(1);
    const transcript = await events.next((e) => e.event === 'candidate.transcript');
    expect(transcript.data.text).toBe(heard);
    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    const introTurn = turns.find((t) => t.id === intro.data.turn_id) as unknown as {
      interrupted_at_ms: number;
    };
    // About the 700 ms waited plus the 250 ms of speech barge-in needs, well short of the ~4.5 s intro.
    expect(introTurn.interrupted_at_ms).toBeGreaterThan(500);
    expect(introTurn.interrupted_at_ms).toBeLessThan(2500);
    expect(shapeOf(turns).slice(0, 2)).toEqual(['interviewer:intro', 'candidate:answer']);
    expect((await agentRow(interviewId)).spoken_turn_id).toBe(intro.data.turn_id);
    // The next question is spoken; the interrupted intro is not said again.
    const next = await events.nextAfter(events.events.indexOf(transcript), 'interviewer.done');
    await spokeAndListens(room, 2, 'the next question, spoken');
    await expect.poll(async () => (await agentRow(interviewId)).spoken_turn_id).toBe(next.data.turn_id);
    events.close();
  });

  it('takes over from a worker that died, without repeating what the room heard, one agent per room', async () => {
    const { interviewId, token, events } = await voiceInterview();
    await api.call('POST', '/v1/session/start', { key: token });
    const intro = await events.next((e) => e.event === 'interviewer.done');
    // A worker claimed the interview, said the intro, and died: its lease (1 s) lapses unrenewed.
    const em = test.platform.services.db.orm.em.fork();
    const [dead] = await claimAgents(em, 10, 1, 'dead-worker');
    expect(dead?.interviewId).toBe(interviewId);
    await markSpoken(em, dead!, String(intro.data.turn_id));

    const one = new MemoryLiveKit(20);
    const two = new MemoryLiveKit(20);
    startWorker(one);
    startWorker(two);
    await sleep(300);
    expect([...one.rooms, ...two.rooms]).toEqual([]);
    const room = await Promise.any([one.room(interviewId), two.room(interviewId)]);
    await sleep(500);
    // Exactly one agent joined, and it stays quiet about the intro the room already heard.
    expect(one.rooms.length + two.rooms.length).toBe(1);
    room.joinCandidate();
    await room.until(() => room.states().at(-1) === 'listening', 'the agent to listen');
    await sleep(300);
    expect(room.output.frames).toEqual([]);

    await room.say(answer);
    await events.next((e) => e.event === 'candidate.transcript');
    await spokeAndListens(room, 1, 'the second question, spoken by the new agent');
    events.close();
  });

  it('hands the room to another worker at once when its worker shuts down', async () => {
    const first = new MemoryLiveKit(20);
    const worker = startWorker(first);
    const { interviewId, events } = await voiceInterview();
    const before = await first.room(interviewId);
    const second = new MemoryLiveKit(20);
    startWorker(second);
    const stopped = Date.now();
    await worker.stop();
    expect(before.connected).toBe(false);
    await second.room(interviewId, 3000);
    // Well within the 3 s lease: the claim was let go, not left to lapse.
    expect(Date.now() - stopped).toBeLessThan(2500);
    events.close();
  });

  it('backs off when the room cannot be joined, and tries again', async () => {
    const livekit = new MemoryLiveKit(20);
    livekit.failNext = 1;
    startWorker(livekit);
    const { interviewId, events } = await voiceInterview();
    await livekit.room(interviewId, 8000);
    const attempts = livekit.connections.filter((c) => c.candidateIdentity === `candidate-${interviewId}`);
    expect(attempts.length).toBe(2);
    expect(await agentRow(interviewId)).toMatchObject({ ended_at: null });
    events.close();
  });

  it('gives up on a join that never answers, at its deadline or when the worker stops', async () => {
    const livekit = new MemoryLiveKit(20);
    livekit.hangNext = 1;
    const first = startWorker(livekit, { connectTimeoutMs: 300 });
    const { interviewId, events } = await voiceInterview();
    // The hung join counts as a failed attempt, and the next one (after the 2 s backoff) gets in.
    await livekit.room(interviewId, 8000);
    expect(
      livekit.connections.filter((c) => c.candidateIdentity === `candidate-${interviewId}`),
    ).toHaveLength(2);
    events.close();
    await first.stop();
    await endAllAgents();

    const stuck = new MemoryLiveKit(20);
    stuck.hangNext = 1;
    const worker = startWorker(stuck);
    const second = await voiceInterview();
    await expect.poll(() => stuck.connections.length).toBe(1);
    const stopping = Date.now();
    await worker.stop();
    expect(Date.now() - stopping).toBeLessThan(1000);
    // Let go at once, not left to lapse: another worker may join now.
    await expect.poll(() => agentRow(second.interviewId)).toMatchObject({ holder: null, ended_at: null });
    second.events.close();
  });

  it('leaves when the candidate never comes, and comes back when asked again', async () => {
    const { services } = test.platform;
    const livekit = new MemoryLiveKit(20);
    const worker = new LiveKitAgentWorker({
      orm: services.db.orm,
      logger: services.logger,
      config: services.config.livekit!,
      engine: services.engine,
      bus: services.bus,
      providers: services.providers,
      connector: livekit,
      idleMs: 20,
      candidateGraceMs: 300,
    });
    workers.push(worker);
    worker.start();
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);
    await room.until(() => !room.connected, 'the agent to give up on the candidate');
    await expect.poll(() => agentRow(interviewId)).toMatchObject({ end_reason: 'candidate_absent' });
    const again = await api.call('POST', '/v1/session/livekit', { key: token });
    expect(again.status, describeResponse(again)).toBe(200);
    const back = await livekit.room(interviewId);
    expect(back).not.toBe(room);
    events.close();
  });
});
