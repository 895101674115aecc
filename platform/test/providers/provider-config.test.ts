import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.ts';
import { OpenAiChat } from '../../src/providers/openai-chat.ts';
import { OpenAiSpeechToText } from '../../src/providers/openai-speech-to-text.ts';
import { OpenAiTextToSpeech } from '../../src/providers/openai-text-to-speech.ts';
import { buildProviders, parseProviderEnv, providerEnvVars } from '../../src/providers/provider-config.ts';
import { type FakeOpenAi, silentWav, startFakeOpenAi } from '../support/fake-openai.ts';

const build = (env: Record<string, string>) => buildProviders(parseProviderEnv(env));

describe('provider configuration', () => {
  it('configures nothing with nothing set: the offline interviewer and text answers', () => {
    expect(build({})).toEqual({ chat: null, scoring: null, speechToText: null, textToSpeech: null });
  });

  it("uses OpenAI's current models for every capability given only OPENAI_API_KEY", () => {
    const providers = build({ OPENAI_API_KEY: 'sk-abc' });
    expect(providers.chat).toBeInstanceOf(OpenAiChat);
    expect(providers.speechToText).toBeInstanceOf(OpenAiSpeechToText);
    expect(providers.textToSpeech).toBeInstanceOf(OpenAiTextToSpeech);
    expect({
      chat: providers.chat?.model,
      stt: providers.speechToText?.model,
      tts: providers.textToSpeech?.model,
      format: providers.textToSpeech?.format,
      voice: (providers.textToSpeech as OpenAiTextToSpeech).voice,
    }).toEqual({
      chat: 'gpt-4o-mini',
      stt: 'gpt-4o-mini-transcribe',
      tts: 'gpt-4o-mini-tts',
      format: 'mp3',
      voice: 'alloy',
    });
  });

  it('scores with LLM_SCORING_MODEL on the LLM endpoint when set, and refuses it with no LLM endpoint', () => {
    const providers = build({ OPENAI_API_KEY: 'sk-abc', LLM_SCORING_MODEL: 'gpt-4.1' });
    expect(providers.chat?.model).toBe('gpt-4o-mini');
    expect(providers.scoring?.model).toBe('gpt-4.1');
    expect(() => parseProviderEnv({ LLM_SCORING_MODEL: 'gpt-4.1' })).toThrow(
      new ConfigError('LLM_SCORING_MODEL is set but none of LLM_BASE_URL, LLM_API_KEY or OPENAI_API_KEY is'),
    );
  });

  it('turns on only the capabilities that have a server', () => {
    const providers = build({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'llama3.2' });
    expect(providers.chat?.model).toBe('llama3.2');
    expect(providers.scoring?.model).toBe('llama3.2');
    expect(providers.speechToText).toBeNull();
    expect(providers.textToSpeech).toBeNull();
  });

  it('reads every setting, trimmed', () => {
    expect(
      parseProviderEnv({
        OPENAI_API_KEY: ' sk-abc ',
        LLM_BASE_URL: 'https://api.groq.com/openai/v1/',
        LLM_MODEL: 'llama-3.3-70b-versatile',
        LLM_API_KEY: 'gsk-123',
        LLM_SCORING_MODEL: ' llama-3.3-70b-specdec ',
        STT_BASE_URL: 'http://localhost:8000/v1',
        STT_MODEL: 'Systran/faster-whisper-small',
        TTS_BASE_URL: 'http://localhost:8880/v1',
        TTS_MODEL: 'kokoro',
        TTS_VOICE: 'af_heart',
        TTS_FORMAT: 'opus',
      }),
    ).toEqual({
      openaiApiKey: 'sk-abc',
      llm: { baseUrl: 'https://api.groq.com/openai/v1', model: 'llama-3.3-70b-versatile', apiKey: 'gsk-123' },
      scoringModel: 'llama-3.3-70b-specdec',
      stt: { baseUrl: 'http://localhost:8000/v1', model: 'Systran/faster-whisper-small', apiKey: null },
      tts: {
        baseUrl: 'http://localhost:8880/v1',
        model: 'kokoro',
        apiKey: null,
        voice: 'af_heart',
        format: 'opus',
      },
    });
  });

  it('names every variable it reads', () => {
    const read = new Set<string>();
    parseProviderEnv(
      new Proxy({} as Record<string, string | undefined>, {
        get: (_target, name) => {
          read.add(String(name));
          return undefined;
        },
      }),
    );
    expect([...read].sort()).toEqual([...providerEnvVars].sort());
  });

  it.each([
    [{ LLM_BASE_URL: 'localhost:11434' }, /^LLM_BASE_URL must be an http or https URL/],
    [{ STT_BASE_URL: 'not a url' }, /^STT_BASE_URL must be an http or https URL/],
    [{ TTS_BASE_URL: 'ftp://speech.example.com' }, /^TTS_BASE_URL must be an http or https URL/],
    [
      { OPENAI_API_KEY: 'sk', TTS_FORMAT: 'pcm' },
      /^TTS_FORMAT must be one of mp3, opus, aac, flac, wav, got "pcm"/,
    ],
    [
      { LLM_MODEL: 'llama3.2' },
      /^LLM_MODEL is set but none of LLM_BASE_URL, LLM_API_KEY or OPENAI_API_KEY is/,
    ],
    [{ TTS_VOICE: 'nova' }, /^TTS_VOICE is set but none of TTS_BASE_URL, TTS_API_KEY or OPENAI_API_KEY is/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => parseProviderEnv(env)).toThrow(ConfigError);
    expect(() => parseProviderEnv(env)).toThrow(message);
  });

  it('keeps credentials in a base URL out of the error', () => {
    expect(() => parseProviderEnv({ LLM_BASE_URL: 'ftp://user:hunter2@llm.example.com' })).toThrow(
      'LLM_BASE_URL must be an http or https URL such as https://api.openai.com/v1, got "ftp://***@llm.example.com"',
    );
  });

  describe('against a server', () => {
    let open: FakeOpenAi;
    let keyed: FakeOpenAi;

    beforeAll(async () => {
      open = await startFakeOpenAi();
      keyed = await startFakeOpenAi({ apiKey: 'gsk-own-key' });
    });
    afterAll(async () => {
      await open.stop();
      await keyed.stop();
    });
    beforeEach(() => {
      open.requests.length = 0;
      keyed.requests.length = 0;
    });

    it('talks to a self-hosted server with no key, with the classic model names and max_tokens', async () => {
      const providers = build({
        LLM_BASE_URL: open.baseUrl,
        STT_BASE_URL: open.baseUrl,
        TTS_BASE_URL: `${open.baseUrl}/`,
      });
      for await (const _ of providers.chat!.stream({
        messages: [{ role: 'user', content: 'Hi' }],
        maxTokens: 50,
      })) {
        // drained
      }
      await providers.speechToText!.transcribe(
        { bytes: silentWav(100), contentType: 'audio/wav' },
        { language: 'en' },
      );
      for await (const _ of providers.textToSpeech!.synthesize('Hello.', { voice: 'alloy' })) {
        // drained
      }
      expect(open.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer not-needed'));
      expect(open.requests[0]?.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 50 });
      expect(open.requests[1]?.form?.fields).toMatchObject({ model: 'whisper-1' });
      expect(open.requests[2]).toMatchObject({
        path: '/v1/audio/speech',
        body: { model: 'tts-1', response_format: 'mp3' },
      });
    });

    it("sends a capability's own key rather than OPENAI_API_KEY", async () => {
      const providers = build({
        OPENAI_API_KEY: 'sk-openai',
        LLM_BASE_URL: keyed.baseUrl,
        LLM_API_KEY: 'gsk-own-key',
      });
      const deltas: string[] = [];
      for await (const delta of providers.chat!.stream({
        messages: [{ role: 'user', content: 'Hi' }],
        maxTokens: 50,
      })) {
        deltas.push(delta);
      }
      expect(deltas.join('')).not.toBe('');
      expect(keyed.requests[0]?.headers.authorization).toBe('Bearer gsk-own-key');
    });
  });
});
