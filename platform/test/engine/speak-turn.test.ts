import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InterviewBrief, Move } from '../../src/engine/interviewer.ts';
import { LlmInterviewer } from '../../src/engine/llm-interviewer.ts';
import { OfflineInterviewer } from '../../src/engine/offline-interviewer.ts';
import { type SpeakTurnOptions, speakTurn } from '../../src/engine/speak-turn.ts';
import { OpenAiChat } from '../../src/providers/openai-chat.ts';
import { OpenAiTextToSpeech } from '../../src/providers/openai-text-to-speech.ts';
import { RedisEventBus } from '../../src/sessions/redis-event-bus.ts';
import type { SessionEvent } from '../../src/sessions/session-events.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';
import { redisUrl } from '../support/harness.ts';

const brief: InterviewBrief = {
  jobTitle: 'Backend Engineer',
  jobDescription: 'Payments.',
  companyName: 'Acme Robotics',
  candidateName: 'Ada Lovelace',
  interviewerName: 'Viva',
  language: 'en',
  questionCount: 2,
  maxMinutes: 20,
};
const move: Move = {
  kind: 'after_answer',
  mayFollowUp: false,
  current: { id: 'q_1', text: 'Tell me about a hard bug.', guidance: null },
  next: { id: 'q_2', text: 'How do you review code?', guidance: null },
};

/** The Redis bus, as a platform with REDIS_URL runs it: a publish there takes a real round trip. */
describe('speakTurn with an OpenAI-compatible model', () => {
  const keyPrefix = `viva-test:${randomBytes(6).toString('hex')}:session:`;
  let fake: FakeOpenAi;
  let redis: Redis;
  let bus: RedisEventBus;
  let options: SpeakTurnOptions;
  let interviewId = 0;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    redis = new Redis(redisUrl);
    bus = new RedisEventBus(redis, { keyPrefix });
  });
  afterAll(async () => {
    await bus.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await fake.stop();
  });
  beforeEach(() => {
    interviewId += 1;
    const chat = new OpenAiChat({
      apiKey: 'sk-test',
      baseUrl: fake.baseUrl,
      model: 'gpt-test',
      maxRetries: 0,
    });
    options = {
      interviewer: new LlmInterviewer(chat),
      fallback: new OfflineInterviewer(),
      brief,
      history: [{ speaker: 'candidate', text: 'I found a race in our ledger.' }],
      move,
      turnId: 'turn_test',
      voice: 'alloy',
      bus,
      interviewId: `int_${interviewId}`,
      textToSpeech: null,
      logger: pino({ level: 'silent' }),
    };
  });

  /** The text of every delta the turn published, in order. */
  async function deltasOf(id: string): Promise<string[]> {
    const end: SessionEvent = { type: 'interviewer.done', data: { turn_id: 'turn_test', text: '' } };
    await bus.publish(id, end);
    const stop = new AbortController();
    const deltas: string[] = [];
    for await (const { event } of bus.subscribe(id, null, stop.signal)) {
      if (event.type === 'interviewer.delta') deltas.push(event.data.text);
      if (event.type === 'interviewer.done') stop.abort();
    }
    return deltas;
  }

  it('sends one delta per piece the model writes at its own pace', async () => {
    fake.setChatScript(() => ({
      chunks: ['[NEXT] Thanks.', ' How', ' do', ' you', ' review', ' code?'],
      delayMs: 15,
    }));
    const spoken = await speakTurn(options);
    expect(spoken.text).toBe('Thanks. How do you review code?');
    expect(await deltasOf(options.interviewId)).toEqual([
      'Thanks.',
      ' How',
      ' do',
      ' you',
      ' review',
      ' code?',
    ]);
  });

  it('joins pieces written faster than the bus takes them, losing none', async () => {
    const words = Array.from({ length: 200 }, (_, i) => ` word${i}`);
    fake.setChatScript(() => ({ chunks: ['[NEXT] Sure.', ...words] }));
    const spoken = await speakTurn(options);
    const deltas = await deltasOf(options.interviewId);
    expect(deltas.join('')).toBe(`Sure.${words.join('')}`);
    expect(spoken.text).toBe(deltas.join(''));
    expect(deltas.length).toBeLessThan(words.length);
  });

  it('lets the offline interviewer speak the turn when the model fails before writing anything', async () => {
    fake.failNext(500);
    const spoken = await speakTurn(options);
    expect(spoken.text).toContain('How do you review code?');
    expect((await deltasOf(options.interviewId)).join('')).toBe(spoken.text);
  });

  it('lets the offline interviewer speak the turn when the model replies with no words, and counts its tokens', async () => {
    // A reasoning model that spent its whole token limit thinking: a finished reply with no content.
    fake.setChatScript(() => ({
      chunks: ['[NEXT] ', '  '],
      usage: { prompt_tokens: 120, completion_tokens: 300 },
    }));
    const spoken = await speakTurn(options);
    expect(spoken.text).toContain('How do you review code?');
    expect(spoken.kind).toBe('question');
    expect(spoken.tokens).toBe(420);
  });

  it('fails the turn, rather than finish it in another voice, when the model breaks off mid-reply', async () => {
    fake.setChatScript(() => ({
      chunks: ['[NEXT] Thanks.', ' How', ' do', ' you'],
      breakAfter: 2,
      delayMs: 5,
    }));
    await expect(speakTurn(options)).rejects.toThrow();
    const said = (await deltasOf(options.interviewId)).join('');
    expect(said).toBe('Thanks. How');
    expect(said).not.toContain('review');
  });

  it('gives the model up at the turn’s deadline: cut off mid-reply, the turn fails and the request ends', async () => {
    fake.setChatScript(() => ({
      chunks: ['[NEXT] Thanks.', ' How', ' do', ' you', ' review?'],
      delayMs: 150,
    }));
    const sent = fake.requests.length;
    await expect(speakTurn({ ...options, signal: AbortSignal.timeout(400) })).rejects.toThrow();
    const said = (await deltasOf(options.interviewId)).join('');
    expect(said).not.toContain('review');
    const chat = fake.requests.slice(sent).find((r) => r.path.endsWith('/chat/completions'));
    await expect.poll(() => chat?.aborted).toBe(true);
  });

  describe('speech', () => {
    const spokenTexts = (sent: number) =>
      fake.requests
        .slice(sent)
        .filter((r) => r.path.endsWith('/audio/speech'))
        .map((r) => (r.body as { input: string }).input);
    const reply = ['[NEXT] Thanks.', ' That was clear.', ' One more thing.', ' How do you review code?'];

    beforeEach(() => {
      options.textToSpeech = new OpenAiTextToSpeech({
        apiKey: 'sk-test',
        baseUrl: fake.baseUrl,
        model: 'tts-test',
        maxRetries: 0,
      });
    });

    it('speaks the first sentence alone, then what is ready by the time it is spoken, together', async () => {
      fake.setChatScript(() => ({ chunks: reply }));
      const sent = fake.requests.length;
      const spoken = await speakTurn(options);
      expect(spokenTexts(sent)).toEqual([
        'Thanks.',
        'That was clear. One more thing. How do you review code?',
      ]);
      expect(spoken.audio?.bytes.length).toBeGreaterThan(0);
    });

    it('past the deadline, lets the offline interviewer speak and leaves the turn to its captions', async () => {
      // Every request is slow: the model has written nothing by the deadline, and speech would come after it.
      fake.setLatency(600);
      try {
        const spoken = await speakTurn({ ...options, signal: AbortSignal.timeout(300) });
        expect(spoken.text).toContain('How do you review code?');
        expect(spoken.audio, 'no speech after the deadline').toBeNull();
      } finally {
        fake.setLatency(0);
      }
    });

    it('when cancelled, fails the turn: no offline interviewer before the first word, no turn without its voice', async () => {
      fake.setLatency(600);
      try {
        const before = new AbortController();
        setTimeout(() => before.abort(), 300);
        await expect(speakTurn({ ...options, cancel: before.signal })).rejects.toThrow();
        expect(await deltasOf(options.interviewId)).toEqual([]);
      } finally {
        fake.setLatency(0);
      }
      // The model answers at once and has written the whole reply when the cancel comes; speech is slow.
      fake.setChatScript(() => {
        fake.setLatency(600);
        return { chunks: reply };
      });
      try {
        const during = new AbortController();
        setTimeout(() => during.abort(), 300);
        await expect(speakTurn({ ...options, cancel: during.signal })).rejects.toThrow();
      } finally {
        fake.setLatency(0);
      }
    });

    it('speaks each sentence on its own when the model writes slower than speech is made', async () => {
      fake.setChatScript(() => ({ chunks: reply, delayMs: 250 }));
      const sent = fake.requests.length;
      await speakTurn(options);
      expect(spokenTexts(sent)).toEqual([
        'Thanks.',
        'That was clear.',
        'One more thing.',
        'How do you review code?',
      ]);
    });
  });
});
