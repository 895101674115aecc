import type OpenAI from 'openai';
import { toFile } from 'openai';
import { type OpenAiEndpoint, openAiClient } from './openai-client.ts';
import type { AudioInput, SpeechToText, Transcription } from './providers.ts';

export interface OpenAiSpeechToTextOptions extends OpenAiEndpoint {
  model: string;
  timeoutMs?: number;
  maxRetries?: number;
}

// Servers pick the decoder by the file name's extension, so it must match the bytes.
const extensions = new Map([
  ['audio/webm', 'webm'],
  ['audio/ogg', 'ogg'],
  ['audio/wav', 'wav'],
]);

/** Transcription through any OpenAI-compatible `/audio/transcriptions` endpoint (OpenAI, Groq, speaches...). */
export class OpenAiSpeechToText implements SpeechToText {
  readonly model: string;
  readonly #client: OpenAI;

  constructor(options: OpenAiSpeechToTextOptions) {
    this.model = options.model;
    // Long enough to upload a full-size answer and transcribe five minutes of speech.
    this.#client = openAiClient(options, {
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  async transcribe(
    audio: AudioInput,
    options: { language: string; signal?: AbortSignal },
  ): Promise<Transcription> {
    const type = audio.contentType.split(';')[0]!.trim().toLowerCase();
    const extension = extensions.get(type);
    if (extension === undefined)
      throw new Error(`Cannot transcribe ${audio.contentType}: expected WebM, Ogg or WAV.`);
    const file = await toFile(audio.bytes, `answer.${extension}`, { type });
    const result = await this.#client.audio.transcriptions.create(
      { file, model: this.model, language: isoLanguage(options.language) },
      { signal: options.signal ?? null },
    );
    return { text: result.text };
  }
}

/** Jobs carry BCP 47 tags ("en-US", "pt-BR"); transcription wants the ISO 639-1 language alone. */
function isoLanguage(tag: string): string {
  return tag.split(/[-_]/)[0]!.toLowerCase();
}
