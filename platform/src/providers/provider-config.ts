import { ConfigError } from '../config/config.ts';
import { OpenAiChat, type OpenAiChatOptions } from './openai-chat.ts';
import { OpenAiSpeechToText } from './openai-speech-to-text.ts';
import { OpenAiStructuredChat } from './openai-structured-chat.ts';
import { OpenAiTextToSpeech } from './openai-text-to-speech.ts';
import type { Providers, SpeechFormat } from './providers.ts';

/**
 * Which AI provider stands behind each capability. A capability is on when it has a base URL of its own
 * or an API key for OpenAI's; each may point at a different OpenAI-compatible server.
 */
export interface ProviderSettings {
  openaiApiKey: string | null;
  llm: EndpointSettings;
  /** The model scoring uses on the LLM endpoint; null: the interviewer's model. */
  scoringModel: string | null;
  stt: EndpointSettings;
  tts: EndpointSettings & { voice: string | null; format: SpeechFormat | null };
}

export interface EndpointSettings {
  baseUrl: string | null;
  model: string | null;
  /** This capability's own key, for a server that is not OpenAI (Groq...); else OPENAI_API_KEY is sent. */
  apiKey: string | null;
}

/** Every variable `parseProviderEnv` reads, for the docs. */
export const providerEnvVars = [
  'OPENAI_API_KEY',
  'LLM_BASE_URL',
  'LLM_MODEL',
  'LLM_API_KEY',
  'LLM_SCORING_MODEL',
  'STT_BASE_URL',
  'STT_MODEL',
  'STT_API_KEY',
  'TTS_BASE_URL',
  'TTS_MODEL',
  'TTS_API_KEY',
  'TTS_VOICE',
  'TTS_FORMAT',
] as const;

type ProviderEnvVar = (typeof providerEnvVars)[number];

const openAiBaseUrl = 'https://api.openai.com/v1';

// Headerless PCM is left out: the browser cannot decode it without being told its rate.
const speechFormats: SpeechFormat[] = ['mp3', 'opus', 'aac', 'flac', 'wav'];

type Env = Record<string, string | undefined>;

export function parseProviderEnv(env: Env): ProviderSettings {
  const read = (name: ProviderEnvVar): string | null => env[name]?.trim() || null;
  const openaiApiKey = read('OPENAI_API_KEY');
  // A setting with nowhere to go is a mistake worth stopping for, not a silent fall back to offline.
  const requireEndpoint = (settings: EndpointSettings, prefix: string, names: ProviderEnvVar[]): void => {
    const stray = names.find((name) => read(name) !== null);
    if (stray && settings.baseUrl === null && settings.apiKey === null && openaiApiKey === null) {
      throw new ConfigError(
        `${stray} is set but none of ${prefix}_BASE_URL, ${prefix}_API_KEY or OPENAI_API_KEY is`,
      );
    }
  };
  const endpoint = (prefix: 'LLM' | 'STT' | 'TTS'): EndpointSettings => ({
    baseUrl: baseUrl(`${prefix}_BASE_URL`, read(`${prefix}_BASE_URL`)),
    model: read(`${prefix}_MODEL`),
    apiKey: read(`${prefix}_API_KEY`),
  });
  const format = read('TTS_FORMAT');
  if (format !== null && !(speechFormats as string[]).includes(format)) {
    throw new ConfigError(`TTS_FORMAT must be one of ${speechFormats.join(', ')}, got "${format}"`);
  }
  const settings: ProviderSettings = {
    openaiApiKey,
    llm: endpoint('LLM'),
    scoringModel: read('LLM_SCORING_MODEL'),
    stt: endpoint('STT'),
    tts: { ...endpoint('TTS'), voice: read('TTS_VOICE'), format: format as SpeechFormat | null },
  };
  requireEndpoint(settings.llm, 'LLM', ['LLM_MODEL', 'LLM_SCORING_MODEL']);
  requireEndpoint(settings.stt, 'STT', ['STT_MODEL']);
  requireEndpoint(settings.tts, 'TTS', ['TTS_MODEL', 'TTS_VOICE', 'TTS_FORMAT']);
  return settings;
}

function baseUrl(name: string, raw: string | null): string | null {
  if (raw === null) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw);
  } catch {
    // reported below
  }
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ConfigError(
      `${name} must be an http or https URL such as ${openAiBaseUrl}, got "${redact(raw)}"`,
    );
  }
  return raw.replace(/\/+$/, '');
}

/** Keeps credentials in a URL out of the error message. */
function redact(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}

/** The providers the settings describe; null for each capability left unconfigured. */
export function buildProviders(
  settings: ProviderSettings,
  scoring: { timeoutSeconds: number } = { timeoutSeconds: 60 },
): Providers {
  const { llm, stt, tts } = settings;
  const llmEndpoint = endpointOf(llm, settings.openaiApiKey);
  const sttEndpoint = endpointOf(stt, settings.openaiApiKey);
  const ttsEndpoint = endpointOf(tts, settings.openaiApiKey);
  return {
    chat: llmEndpoint && new OpenAiChat({ ...llmEndpoint, ...chatModel(llm, llmEndpoint.baseUrl) }),
    scoring:
      llmEndpoint &&
      new OpenAiStructuredChat({
        ...llmEndpoint,
        ...chatModel(llm, llmEndpoint.baseUrl),
        ...(settings.scoringModel ? { model: settings.scoringModel } : {}),
        timeoutMs: scoring.timeoutSeconds * 1000,
      }),
    speechToText:
      sttEndpoint &&
      new OpenAiSpeechToText({
        ...sttEndpoint,
        model: stt.model ?? (isOpenAi(sttEndpoint.baseUrl) ? 'gpt-4o-mini-transcribe' : 'whisper-1'),
      }),
    textToSpeech:
      ttsEndpoint &&
      new OpenAiTextToSpeech({
        ...ttsEndpoint,
        model: tts.model ?? (isOpenAi(ttsEndpoint.baseUrl) ? 'gpt-4o-mini-tts' : 'tts-1'),
        voice: tts.voice ?? 'alloy',
        format: tts.format ?? 'mp3',
      }),
  };
}

function endpointOf(
  settings: EndpointSettings,
  openaiApiKey: string | null,
): { baseUrl: string; apiKey: string } | null {
  const apiKey = settings.apiKey ?? openaiApiKey;
  if (settings.baseUrl === null && apiKey === null) return null;
  // Self-hosted servers (Ollama, vLLM, speaches, Kokoro...) mostly need no key, but the client insists on one.
  return { baseUrl: settings.baseUrl ?? openAiBaseUrl, apiKey: apiKey ?? 'not-needed' };
}

function chatModel(
  llm: EndpointSettings,
  baseUrl: string,
): Pick<OpenAiChatOptions, 'model' | 'tokenLimitField'> {
  return {
    model: llm.model ?? 'gpt-4o-mini',
    tokenLimitField: isOpenAi(baseUrl) ? 'max_completion_tokens' : 'max_tokens',
  };
}

// OpenAI itself (and Azure OpenAI) knows the newest parameter and model names; other servers, the classic ones.
function isOpenAi(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === 'api.openai.com' || host.endsWith('.openai.com') || host.endsWith('.openai.azure.com');
}
