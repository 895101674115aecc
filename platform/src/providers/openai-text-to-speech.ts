import type OpenAI from 'openai';
import { type OpenAiEndpoint, openAiClient } from './openai-client.ts';
import type { SpeechFormat, TextToSpeech } from './providers.ts';

export interface OpenAiTextToSpeechOptions extends OpenAiEndpoint {
  model: string;
  /**
   * MP3 by default: the widget decodes each chunk as it arrives, and an MP3 chunk cut anywhere still
   * decodes (decoders resync on the next frame header), while a chunk of Ogg Opus pages lacks the
   * stream's headers and decodes nowhere. MP3 also plays in every browser.
   */
  format?: SpeechFormat;
  /** Speaks when a turn names no voice. */
  voice?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

/** Speech through any OpenAI-compatible `/audio/speech` endpoint (OpenAI, Kokoro, speaches...), streamed. */
export class OpenAiTextToSpeech implements TextToSpeech {
  readonly model: string;
  readonly format: SpeechFormat;
  readonly voice: string;
  readonly #client: OpenAI;

  constructor(options: OpenAiTextToSpeechOptions) {
    this.model = options.model;
    this.format = options.format ?? 'mp3';
    this.voice = options.voice ?? 'alloy';
    // Until the first bytes: speech for one sentence starts well within this, or the turn goes on as text.
    this.#client = openAiClient(options, {
      timeoutMs: options.timeoutMs ?? 20_000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  async *synthesize(
    text: string,
    options: { voice: string; signal?: AbortSignal; format?: SpeechFormat },
  ): AsyncIterable<Buffer> {
    const response = await this.#client.audio.speech.create(
      {
        model: this.model,
        voice: options.voice || this.voice,
        input: text,
        response_format: options.format ?? this.format,
      },
      { signal: options.signal ?? null },
    );
    if (!response.body) return;
    for await (const chunk of response.body) {
      if (chunk.length > 0) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  }
}
