import { setTimeout as sleep } from 'node:timers/promises';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InterviewEngine } from '../../src/engine/engine.ts';
import { claimAgents, markSpoken } from '../../src/livekit/agent-requests.ts';
import { LiveKitAgentWorker } from '../../src/livekit/agent-worker.ts';
import type { AgentRoom, RoomConnector, RoomDisconnect, RoomHandlers } from '../../src/livekit/room.ts';
import { commitSpokenAnswer } from '../../src/livekit/spoken-answer.ts';
import { compareIds } from '../../src/sessions/event-ids.ts';
import type { SessionEventBus } from '../../src/sessions/session-events.ts';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { type ChatReply, type ChatScript, type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { jobInput } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { postAnswer, shapeOf, transcriptOf, within } from '../support/interview-flow.ts';
import { MemoryLiveKit, type MemoryRoom } from '../support/memory-room.ts';
import { openSession } from '../support/sessions.ts';
import { concat, decodeWav, silence, spoken } from '../support/speech.ts';
import { SseClient } from '../support/sse-client.ts';

/** Faults a test injects into the agents' queue; by default everything goes through. */
const faults = vi.hoisted(() => ({ agentJoined: 0 }));
vi.mock('../../src/livekit/agent-requests.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/livekit/agent-requests.ts')>();
  return {
    ...actual,
    agentJoined: async (...args: Parameters<typeof actual.agentJoined>) => {
      if (faults.agentJoined > 0) {
        faults.agentJoined -= 1;
        throw new Error('Connection terminated unexpectedly');
      }
      return actual.agentJoined(...args);
    },
  };
});

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

const isClosing = (instruction: string) =>
  instruction.includes('Close the interview') || instruction.includes('say goodbye');
const isOpening = (instruction: string) => instruction.includes('Open the interview');

const interviewer: ChatScript = (messages) => {
  const instruction = messages.at(-1)?.content ?? '';
  if (isClosing(instruction)) {
    return { chunks: ['[NEXT] Thank you for your time. ', 'Goodbye!'], delayMs: 10 };
  }
  if (isOpening(instruction)) {
    return {
      chunks: ['Hello, I am Viva. ', 'We have two questions. ', `${job.questions[0]!.text}`],
      delayMs: 10,
    };
  }
  return { chunks: ['[NEXT] Thanks. ', `${job.questions[1]!.text}`], delayMs: 10 };
};

/** The interviewer, except that its first reply to an answer is `broken` (it breaks off part way). */
function breakingOnce(broken: ChatReply): ChatScript {
  let broke = false;
  return (messages, body) => {
    const instruction = messages.at(-1)?.content ?? '';
    if (broke || isOpening(instruction) || isClosing(instruction)) return interviewer(messages, body);
    broke = true;
    return broken;
  };
}

const hello = 'Hello? Are you there?';
/** What the fake hears: `hello` in an utterance shorter than 2.5 s (16 kHz 16-bit WAV), else the answer. */
const helloOrAnswer = (audio: Buffer) => ((audio.length - 44) / 32_000 < 2.5 ? hello : heard);

beforeAll(async () => {
  fake = await startFakeOpenAi();
  fake.setChatScript(interviewer);
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
  faults.agentJoined = 0;
  vi.restoreAllMocks();
  fake.setChatScript(interviewer);
  fake.setTranscript(() => heard);
});
afterAll(async () => {
  await test?.stop();
  await fake?.stop();
});

/**
 * The in-memory LiveKit with the server's part played by the test: it can close the room or send the agent
 * away as LiveKit does (it keeps each room's handlers), have the candidate in the room already when the
 * agent joins (rtc-node says so as the agent connects), and it counts the data packets an agent sent after
 * it had begun to leave a room.
 */
class LiveKitServer implements RoomConnector {
  readonly livekit: MemoryLiveKit;
  /** The candidate is in the room before the agent joins it. */
  candidateWaiting = false;
  /** Packets sent after the agent began to leave: its last words must come before it goes. */
  latePackets = 0;
  readonly #handlers = new Map<AgentRoom, RoomHandlers>();

  constructor(livekit = new MemoryLiveKit(20)) {
    this.livekit = livekit;
  }

  async connect(url: string, token: string, candidateIdentity: string, handlers: RoomHandlers) {
    const room = await this.livekit.connect(url, token, candidateIdentity, handlers);
    this.#handlers.set(room, handlers);
    if (this.candidateWaiting) handlers.candidatePresence(true);
    let leaving = false;
    return {
      output: room.output,
      publishData: (payload: Uint8Array) => {
        if (leaving) this.latePackets += 1;
        return room.publishData(payload);
      },
      disconnect: () => {
        leaving = true;
        return room.disconnect();
      },
    };
  }

  /** The server lets the agent in `room` go, as LiveKit does with the reason `kind` stands for. */
  disconnect(room: MemoryRoom, kind: RoomDisconnect['kind']): void {
    const handlers = this.#handlers.get(room);
    if (!handlers) throw new Error(`no agent joined ${room.name}`);
    handlers.disconnected({ kind, detail: `the test's server: ${kind}` });
  }
}

interface WorkerOptions {
  leaseSeconds?: number;
  connectTimeoutMs?: number;
  maxAttempts?: number;
  /** The engine as the agents see it (the platform's, unless a test fakes a fault in it). */
  engine?: InterviewEngine;
  /** The event bus as the agents see it (the platform's, unless a test slows it down). */
  bus?: SessionEventBus;
}

function newWorker(livekit: RoomConnector, options: WorkerOptions = {}): LiveKitAgentWorker {
  const { services } = test.platform;
  const worker = new LiveKitAgentWorker({
    orm: services.db.orm,
    logger: services.logger,
    config: services.config.livekit!,
    engine: options.engine ?? services.engine,
    bus: options.bus ?? services.bus,
    providers: services.providers,
    connector: livekit,
    idleMs: 20,
    leaseSeconds: options.leaseSeconds ?? 3,
    candidateGraceMs: 10_000,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  });
  workers.push(worker);
  return worker;
}

function startWorker(livekit: RoomConnector, options: WorkerOptions = {}): LiveKitAgentWorker {
  const worker = newWorker(livekit, options);
  worker.start();
  return worker;
}

/**
 * The platform's event bus under a slow network: a subscription waits after every 200 events, as the
 * Redis bus's replay does between its pages of 200 when Redis is far away.
 */
function slowPagesOf(bus: SessionEventBus): SessionEventBus {
  return {
    publish: (interviewId, event) => bus.publish(interviewId, event),
    lastId: (interviewId) => bus.lastId(interviewId),
    close: () => bus.close(),
    async *subscribe(interviewId, afterId, signal) {
      let delivered = 0;
      for await (const event of bus.subscribe(interviewId, afterId, signal)) {
        yield event;
        delivered += 1;
        if (delivered % 200 === 0) await sleep(100);
      }
    },
  };
}

/** The platform's engine, with `faulty` in place of some of its methods, for the agents alone. */
function engineWith(faulty: Partial<InterviewEngine>): InterviewEngine {
  const engine = test.platform.services.engine;
  return new Proxy(engine, {
    get(target, key) {
      if (key in faulty) return faulty[key as keyof InterviewEngine];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A live interview whose candidate asked for the room (`request`: the body of `POST /v1/session/livekit`). */
async function voiceInterview(request?: { silence_ms?: number }) {
  const { interviewId, token } = await openSession(api, tenant.liveKey, job);
  const joined = await api.call<{ room: string; token: string }>('POST', '/v1/session/livekit', {
    key: token,
    ...(request ? { body: request } : {}),
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
      attempts: number;
    }[]
  >(
    'select ended_at, end_reason, spoken_turn_id, holder, attempts from interview_agents where interview_id = ?',
    [interviewId],
  );
  return rows[0]!;
}

const transcriptions = () => fake.requests.filter((r) => r.path === '/v1/audio/transcriptions');
/** The agents' own speech requests (PCM, for the room) from the `since`-th request on, whose text includes `text`. */
const roomSpeechOf = (text: string, since: number) =>
  fake.requests.slice(since).filter((r) => {
    const body = r.body as { response_format?: string; input?: string } | null;
    return r.path === '/v1/audio/speech' && body?.response_format === 'pcm' && body.input?.includes(text);
  });

describe('the interviewer agent in a LiveKit room', () => {
  it('holds a whole interview by voice, leaving the transcript, recording and events of the HTTP transport', async () => {
    const server = new LiveKitServer();
    const { livekit } = server;
    startWorker(server);
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
    // Its voice fell silent, and it said so before it went: the widget closes the room on that.
    expect(room.states().at(-1)).toBe('listening');
    expect(server.latePackets).toBe(0);
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

describe('the interviewer agent and the page it serves', () => {
  it('takes an answer as over after the silence the page asked for', async () => {
    const livekit = new MemoryLiveKit(20);
    startWorker(livekit);
    const { interviewId, token, events } = await voiceInterview({ silence_ms: 600 });
    const room = await livekit.room(interviewId);
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    await spokeAndListens(room, 1, 'the intro, spoken');
    // A second of silence after the words: past the 600 ms asked for, short of the 1.8 s default. The
    // microphone then sends nothing more, so only the silence asked for can end the answer.
    await room.say(
      concat(silence(300), spoken('I designed the payments ledger at my last company.'), silence(1000)),
    );
    const transcript = await events.next((e) => e.event === 'candidate.transcript');
    expect(transcript.data).toMatchObject({ text: heard, final: true });
    events.close();
  });

  it('says nothing of a question already answered when it joins during a long replay', async () => {
    const { interviewId, token, events } = await voiceInterview();
    await api.call('POST', '/v1/session/start', { key: token });
    const intro = await events.next((e) => e.event === 'interviewer.done');
    // Between the question and its answer, more events than a page of the Redis bus's replay (200), as a
    // long turn's audio makes: the agent, joining now, replays them in pages, with waits between.
    const { bus } = test.platform.services;
    for (let seq = 0; seq < 250; seq++) {
      await bus.publish(interviewId, {
        type: 'interviewer.audio',
        data: { turn_id: String(intro.data.turn_id), seq: 1000 + seq, format: 'mp3', data: '' },
      });
    }
    const answered = events.events.length;
    await postAnswer(api, token);
    await events.nextAfter(answered, 'interviewer.done');
    const replayTo = await bus.lastId(interviewId);

    const since = fake.requests.length;
    const server = new LiveKitServer();
    server.candidateWaiting = true;
    startWorker(server, { bus: slowPagesOf(bus) });
    const room = await server.livekit.room(interviewId);
    await spokeAndListens(room, 1, 'the next question, spoken');
    // Never the intro, answered before the agent came, not even its first words while the replay was under way.
    expect(roomSpeechOf('Hello, I am Viva.', since)).toEqual([]);
    expect(roomSpeechOf('Thanks.', since).length).toBeGreaterThan(0);
    // Of the session's events only those after the replay went to the room.
    const forwarded = room.messages.filter((m) => m.id);
    expect(forwarded.length).toBeGreaterThan(0);
    for (const message of forwarded) expect(compareIds(message.id!, replayTo!)).toBeGreaterThan(0);
    events.close();
  });

  it('tells the room it fell silent before it leaves in the middle of a turn', async () => {
    // Real time, so the agent is still speaking when its worker stops.
    const server = new LiveKitServer(new MemoryLiveKit(1));
    const worker = startWorker(server);
    const { interviewId, token, events } = await voiceInterview();
    const room = await server.livekit.room(interviewId);
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    await room.until(() => room.states().at(-1) === 'speaking', 'the agent to speak');
    await worker.stop();
    expect(room.connected).toBe(false);
    // The page does not go on showing an interviewer speaking who has gone.
    expect(room.states().at(-1)).toBe('listening');
    expect(server.latePackets).toBe(0);
    events.close();
  });

  it('leaves for good when LiveKit closes the room or removes the agent', async () => {
    const server = new LiveKitServer();
    startWorker(server);
    const cases = [
      // LiveKit closes a room nobody but agents is in (after its departure_timeout).
      { kind: 'room_closed', candidate: false, endReason: 'candidate_absent' },
      { kind: 'room_closed', candidate: true, endReason: 'room_closed' },
      { kind: 'removed', candidate: true, endReason: 'removed' },
    ] as const;
    for (const { kind, candidate, endReason } of cases) {
      const { interviewId, token, events } = await voiceInterview();
      const room = await server.livekit.room(interviewId);
      if (candidate) room.joinCandidate();
      server.disconnect(room, kind);
      await room.until(() => !room.connected, `the agent to leave after ${kind}`);
      await expect.poll(() => agentRow(interviewId)).toMatchObject({ end_reason: endReason, holder: null });
      // Not joined again (that would make the closed room anew, empty) until the candidate asks again.
      await sleep(300);
      const joins = () =>
        server.livekit.connections.filter((c) => c.candidateIdentity === `candidate-${interviewId}`).length;
      expect(joins(), kind).toBe(1);
      const again = await api.call('POST', '/v1/session/livekit', { key: token });
      expect(again.status, describeResponse(again)).toBe(200);
      await expect.poll(joins).toBe(2);
      events.close();
    }
  });

  it('joins again at once after a lost connection, and backs off when the room keeps dropping it', async () => {
    const server = new LiveKitServer();
    startWorker(server);
    const { interviewId, events } = await voiceInterview();
    const rooms = () => server.livekit.rooms.filter((r) => r.name === `viva-${interviewId}`);
    const first = await server.livekit.room(interviewId);
    first.joinCandidate();
    server.disconnect(first, 'connection_lost');
    const lost = Date.now();
    await expect.poll(() => rooms().length).toBe(2);
    expect(Date.now() - lost).toBeLessThan(1500);

    // Dropped again soon after it came: this time it waits before it joins again.
    const second = rooms()[1]!;
    second.joinCandidate();
    server.disconnect(second, 'connection_lost');
    await expect
      .poll(() => agentRow(interviewId))
      .toMatchObject({ holder: null, attempts: 2, ended_at: null });
    const [row] = await test.platform.services.db.orm.em
      .fork()
      .getConnection()
      .execute<{ retry_in: number }[]>(
        'select extract(epoch from lease_until - now()) as retry_in from interview_agents where interview_id = ?',
        [interviewId],
      );
    expect(Number(row!.retry_in)).toBeGreaterThan(1);
    await expect.poll(() => rooms().length, { timeout: 8000 }).toBe(3);
    expect(rooms()[2]!.connected).toBe(true);
    events.close();
  });

  it('refuses a spoken answer longer than an upload may be', async () => {
    const { interviewId, token, events } = await voiceInterview();
    await api.call('POST', '/v1/session/start', { key: token });
    await events.next((e) => e.event === 'interviewer.done');
    const before = transcriptions().length;
    const tooLong = { audio: new Int16Array(16_000 * 301), sampleRate: 16_000, turnId: null };
    await expect(
      commitSpokenAnswer(test.platform.services.engine, interviewId, tooLong),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'The audio answer lasts 301.0 seconds; an answer may last at most 300 seconds.',
    });
    // Refused before anything was stored or paid for.
    expect(transcriptions().length).toBe(before);
    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    expect(shapeOf(turns)).toEqual(['interviewer:intro']);
    events.close();
  });
});

describe('the interviewer agent when something fails', () => {
  it('leaves a room it joined when recording the join fails, and comes back after a backoff', async () => {
    faults.agentJoined = 1;
    const livekit = new MemoryLiveKit(20);
    startWorker(livekit);
    const { events } = await voiceInterview();
    await expect.poll(() => livekit.rooms.length).toBe(1);
    const first = livekit.rooms[0]!;
    // Nobody would listen in it: the agent leaves rather than stay connected and deaf.
    await first.until(() => !first.connected, 'the agent to leave the room it could not record');
    await expect.poll(() => livekit.rooms.length, { timeout: 8000 }).toBe(2);
    expect(livekit.rooms[1]!.connected).toBe(true);
    events.close();
  });

  it('stops an agent whose start failed before it leaves the room, and gives up on one that keeps crashing', async () => {
    let failStart: () => void = () => undefined;
    const failing = new Promise<void>((resolve) => {
      failStart = resolve;
    });
    const engine = engineWith({
      // A Redis hiccup as the agent publishes the state: the first one once it is speaking, then at once.
      publishCurrentState: async () => {
        await failing;
        throw new Error('Connection is closed.');
      },
    });
    // Real time, so the agent is still speaking when its start fails.
    const livekit = new MemoryLiveKit(1);
    startWorker(livekit, { engine, maxAttempts: 2 });
    const { interviewId, token, events } = await voiceInterview();
    await expect.poll(() => livekit.rooms.length).toBe(1);
    const first = livekit.rooms[0]!;
    first.joinCandidate();
    const started = await api.call('POST', '/v1/session/start', { key: token });
    expect(started.status, describeResponse(started)).toBe(200);
    await first.until(() => first.states().includes('speaking'), 'the agent to start speaking');
    failStart();
    await first.until(() => !first.connected, 'the agent to leave');

    // Each crash counts as a failed claim: tried again after its backoff, then given up.
    await expect
      .poll(() => agentRow(interviewId), { timeout: 10_000 })
      .toMatchObject({ end_reason: 'crashed_repeatedly', holder: null });
    expect(livekit.rooms).toHaveLength(2);
    // Nothing went on speaking into a room it had left (rtc-node refuses that: "AudioSource is closed").
    expect(livekit.rooms.map((r) => r.output.refused)).toEqual([0, 0]);
    events.close();
  });

  it('does not ask for a turn’s speech again and again when the room cannot play it', async () => {
    const livekit = new MemoryLiveKit(20);
    startWorker(livekit);
    const since = fake.requests.length;
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);
    // The agent's audio output fails, as rtc-node's does once its AudioSource is closed.
    room.output.close();
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    await expect.poll(() => room.output.refused).toBeGreaterThan(0);
    // Time for a retry loop to show itself; then the candidate, reading the question, types the answer.
    await sleep(300);
    const answered = events.events.length;
    await postAnswer(api, token);
    await events.nextAfter(answered, 'interviewer.done');
    await expect.poll(() => roomSpeechOf('Thanks.', since).length).toBeGreaterThan(0);
    // Each turn was tried once, and goes on as captions.
    expect(roomSpeechOf('Hello, I am Viva.', since)).toHaveLength(1);
    events.close();
  });

  it('lets go of an interview at once when it stops while still preparing the agent', async () => {
    const { interviewId, events } = await voiceInterview();
    const livekit = new MemoryLiveKit(20);
    const worker = newWorker(livekit);
    // In one tick: the stop comes while the worker is still reading what the agent needs.
    worker.start();
    const stopped = worker.stop();
    await within('the worker to stop', stopped, 5000);
    expect(livekit.connections).toEqual([]);
    // Claimed, and let go without being ended: another worker takes it over at once.
    expect(await agentRow(interviewId)).toMatchObject({ attempts: 1, holder: null, ended_at: null });
    events.close();
  });

  it('stops speaking a turn the interviewer broke off, and does not take what is said meanwhile as an answer', async () => {
    fake.setChatScript(
      breakingOnce({
        chunks: ['[NEXT] Thanks for that. ', 'Now tell me ', 'about ', 'an outage.'],
        delayMs: 100,
        breakAfter: 3,
      }),
    );
    fake.setTranscript(helloOrAnswer);
    const livekit = new MemoryLiveKit(20);
    startWorker(livekit);
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    await spokeAndListens(room, 1, 'the intro, spoken');

    const afterIntro = room.states().length;
    await room.say(answer);
    // The reply's first sentence is said; then the model breaks off.
    await room.until(() => room.states().slice(afterIntro).includes('speaking'), 'the reply to be spoken');
    const error = await events.next((e) => e.event === 'error');
    expect(error.data).toMatchObject({ code: 'interviewer_unavailable' });
    await room.until(() => room.states().at(-1) !== 'speaking', 'the agent to stop speaking the broken turn');

    // Hearing nothing more, the candidate asks; then the widget reconnects, and the turn is tried again.
    await room.say(concat(spoken(hello), silence(2200)));
    const afterError = events.events.length;
    const reconnected = new SseClient(`${test.url}/v1/session/events`, token, error.id!);
    const retried = await events.nextAfter(afterError, 'interviewer.done');
    const afterRetry = events.events.indexOf(retried);
    await room.until(
      () => room.states().filter((s) => s === 'speaking').length >= 3 && room.states().at(-1) === 'listening',
      'the retried turn, spoken',
    );
    await room.say(answer);
    const transcript = await events.nextAfter(afterRetry, 'candidate.transcript');
    expect(transcript.data.text).toBe(heard);
    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).toEqual([heard, heard]);
    reconnected.close();
    events.close();
  });

  it('drops a barge-in on a turn the interviewer broke off once that turn is tried again', async () => {
    fake.setChatScript(
      breakingOnce({
        chunks: [
          '[NEXT] Thanks, that was a thorough and really interesting answer. ',
          'Now tell me ',
          'about it.',
        ],
        delayMs: 50,
        breakAfter: 2,
      }),
    );
    fake.setTranscript(helloOrAnswer);
    // Real time, so the candidate can talk over the broken turn.
    const livekit = new MemoryLiveKit(1);
    startWorker(livekit);
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    await events.next((e) => e.event === 'interviewer.done');
    // The candidate reads the question and types the answer while it is still being said.
    const beforeReply = room.states().length;
    await postAnswer(api, token);
    const error = await events.next((e) => e.event === 'error');
    // What was being said of the broken turn (its long first sentence) is still playing.
    await room.until(
      () => room.states().slice(beforeReply).includes('speaking') && room.states().at(-1) === 'speaking',
      'the broken turn, spoken',
    );

    await room.say(concat(spoken(hello), silence(2200)));
    await room.until(() => room.states().at(-1) !== 'speaking', 'the agent to stop at the barge-in');
    const afterError = events.events.length;
    const reconnected = new SseClient(`${test.url}/v1/session/events`, token, error.id!);
    const retried = await events.nextAfter(afterError, 'interviewer.done');
    const afterRetry = events.events.indexOf(retried);
    await room.until(() => room.states().at(-1) === 'listening', 'the agent to listen', 20_000);
    await room.say(answer);
    // The answer to the retried turn is the one given after it, not the barge-in on the broken one.
    const transcript = await events.nextAfter(afterRetry, 'candidate.transcript');
    expect(transcript.data.text).toBe(heard);
    reconnected.close();
    events.close();
  });

  it('takes an answer given before the question it answers is committed', async () => {
    fake.setChatScript((messages, body) =>
      isOpening(messages.at(-1)?.content ?? '')
        ? { chunks: ['Tell me about a system you designed? ', 'Take your time.'], delayMs: 10 }
        : interviewer(messages, body),
    );
    // The engine stores the question's recording slowly: its `interviewer.done`, and with it the
    // candidate's turn, come after the agent has asked the question (its last sentence waits for the done).
    let storeQuestion: () => void = () => undefined;
    const questionStored = new Promise<void>((resolve) => {
      storeQuestion = resolve;
    });
    const { blobs } = test.platform.services;
    const put = blobs.put.bind(blobs);
    vi.spyOn(blobs, 'put').mockImplementation(async (key, body, contentType) => {
      if (contentType === 'audio/mpeg') await questionStored;
      return put(key, body, contentType);
    });
    const livekit = new MemoryLiveKit(20);
    startWorker(livekit);
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    await room.until(
      () => room.states().includes('speaking') && room.states().at(-1) === 'thinking',
      'the question, asked',
    );

    await room.say(answer);
    storeQuestion();
    const transcript = await events.next((e) => e.event === 'candidate.transcript');
    expect(transcript.data.text).toBe(heard);
    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    expect(shapeOf(turns).slice(0, 2)).toEqual(['interviewer:intro', 'candidate:answer']);
    // Not talked over: not an interruption.
    expect(turns[0]).toMatchObject({ interrupted_at_ms: null });
    events.close();
  });

  it('keeps what is said while an answer is being committed, and commits it when that answer fails', async () => {
    const more = 'Sorry, one more thing.';
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    // Speech-to-text holds the first (longer) answer, then fails on it; it hears the second.
    fake.setTranscript(async (audio) => {
      if ((audio.length - 44) / 32_000 < 2.5) return more;
      await firstHeld;
      throw new Error('overloaded');
    });
    const livekit = new MemoryLiveKit(20);
    startWorker(livekit);
    const { interviewId, token, events } = await voiceInterview();
    const room = await livekit.room(interviewId);
    room.joinCandidate();
    await api.call('POST', '/v1/session/start', { key: token });
    await spokeAndListens(room, 1, 'the intro, spoken');

    await room.say(answer);
    await room.say(concat(spoken(more), silence(2200)));
    releaseFirst();
    const transcript = await events.next((e) => e.event === 'candidate.transcript', 20_000);
    expect(transcript.data.text).toBe(more);
    const turns = await transcriptOf(api, tenant.liveKey, interviewId);
    expect(turns.filter((t) => t.speaker === 'candidate').map((t) => t.text)).toEqual([more]);
    events.close();
  });
});
