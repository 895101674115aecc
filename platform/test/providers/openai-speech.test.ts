import { AuthenticationError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiSpeechToText } from '../../src/providers/openai-speech-to-text.ts';
import { OpenAiTextToSpeech } from '../../src/providers/openai-text-to-speech.ts';
import { inspectAudio } from '../../src/sessions/audio-answer.ts';
import { type FakeOpenAi, silentWav, startFakeOpenAi } from '../support/fake-openai.ts';

describe('speech providers against an OpenAI-compatible server', () => {
  let fake: FakeOpenAi;

  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-test-speech' });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  describe('OpenAiSpeechToText', () => {
    const stt = () =>
      new OpenAiSpeechToText({ apiKey: 'sk-test-speech', baseUrl: fake.baseUrl, model: 'whisper-test' });

    it('uploads the answer as multipart with the model, the language and a file named for its container', async () => {
      const bytes = silentWav(500, 48_000);
      fake.setTranscript((audio, contentType) => `heard ${audio.length} bytes of ${contentType}`);
      const result = await stt().transcribe({ bytes, contentType: 'audio/wav' }, { language: 'en-US' });
      expect(result).toEqual({ text: `heard ${bytes.length} bytes of audio/wav` });
      expect(fake.requests).toHaveLength(1);
      const form = fake.requests[0]?.form;
      expect(form?.fields, JSON.stringify(fake.requests[0])).toMatchObject({
        model: 'whisper-test',
        language: 'en',
      });
      expect(form?.files).toHaveLength(1);
      const file = form!.files[0]!;
      expect({ field: file.field, name: file.name, contentType: file.contentType }).toEqual({
        field: 'file',
        name: 'answer.wav',
        contentType: 'audio/wav',
      });
      expect(file.bytes.equals(bytes)).toBe(true);
    });

    it.each([
      ['audio/webm;codecs=opus', 'answer.webm', 'audio/webm'],
      ['audio/ogg', 'answer.ogg', 'audio/ogg'],
    ])('names a %s upload %s', async (contentType, name, type) => {
      await stt().transcribe({ bytes: Buffer.from('opus bytes'), contentType }, { language: 'pt' });
      const file = fake.requests[0]?.form?.files[0];
      expect({ name: file?.name, contentType: file?.contentType }).toEqual({ name, contentType: type });
    });

    it('retries a server error', async () => {
      fake.setTranscript(() => 'Second time lucky.');
      fake.failNext(500);
      const result = await stt().transcribe(
        { bytes: silentWav(100), contentType: 'audio/wav' },
        { language: 'en' },
      );
      expect(result.text).toBe('Second time lucky.');
      expect(fake.requests.map((r) => r.form?.files[0]?.name)).toEqual(['answer.wav', 'answer.wav']);
    });

    it('does not retry a refused key', async () => {
      const wrongKey = new OpenAiSpeechToText({
        apiKey: 'sk-wrong',
        baseUrl: fake.baseUrl,
        model: 'whisper-test',
      });
      await expect(
        wrongKey.transcribe({ bytes: silentWav(100), contentType: 'audio/wav' }, { language: 'en' }),
      ).rejects.toBeInstanceOf(AuthenticationError);
      expect(fake.requests).toHaveLength(1);
    });
  });

  describe('OpenAiTextToSpeech', () => {
    const tts = (format?: 'mp3' | 'wav') =>
      new OpenAiTextToSpeech({
        apiKey: 'sk-test-speech',
        baseUrl: fake.baseUrl,
        model: 'tts-test',
        voice: 'nova',
        ...(format ? { format } : {}),
      });

    async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
      const out: Buffer[] = [];
      for await (const chunk of chunks) out.push(chunk);
      return out;
    }

    it('streams MP3 by default, in several chunks as the server sends them', async () => {
      const speech = tts();
      expect(speech.format).toBe('mp3');
      const chunks = await collect(speech.synthesize('Welcome to your interview.', { voice: 'alloy' }));
      expect(chunks.length).toBeGreaterThan(1);
      const audio = Buffer.concat(chunks);
      // Whole silent MPEG-1 Layer III frames, as the fake writes them.
      expect(audio.subarray(0, 2).toString('hex')).toBe('fffb');
      expect(audio.length % 417).toBe(0);
      expect(fake.requests[0]).toMatchObject({
        path: '/v1/audio/speech',
        body: {
          model: 'tts-test',
          voice: 'alloy',
          input: 'Welcome to your interview.',
          response_format: 'mp3',
        },
      });
    });

    it('speaks in its own voice when the turn names none, in the format configured', async () => {
      const text = 'Tell me about a project you are proud of.';
      const audio = Buffer.concat(await collect(tts('wav').synthesize(text, { voice: '' })));
      expect(fake.requests[0]?.body).toMatchObject({ voice: 'nova', response_format: 'wav' });
      // The fake makes 60 ms of audio a character; the WAV it streamed is whole.
      expect(inspectAudio(audio, 'audio/wav').durationMs).toBe(text.length * 60);
    });

    it('retries a server error before any audio', async () => {
      fake.failNext(502);
      const chunks = await collect(tts().synthesize('Hello.', { voice: 'alloy' }));
      expect(chunks.length).toBeGreaterThan(0);
      expect(fake.requests).toHaveLength(2);
    });

    it('stops when aborted', async () => {
      fake.setLatency(500);
      try {
        const controller = new AbortController();
        const pending = collect(tts().synthesize('Hello.', { voice: 'alloy', signal: controller.signal }));
        setTimeout(() => controller.abort(), 50);
        await expect(pending).rejects.toThrow(/abort/i);
      } finally {
        fake.setLatency(0);
      }
    });
  });
});
