/**
 * The three capabilities an interview needs from AI providers, each a small interface so any
 * OpenAI-compatible endpoint (OpenAI, Azure, Groq, vLLM, Ollama, speaches, Kokoro...) or the offline
 * built-ins can stand behind it. The engine knows nothing else about providers.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Upper bound on the reply, in tokens. */
  maxTokens: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** A reply as it is written: iterate for text deltas; `usage` settles once the stream has ended. */
export interface ChatStream extends AsyncIterable<string> {
  usage(): Promise<TokenUsage>;
}

export interface ChatProvider {
  readonly model: string;
  stream(request: ChatRequest): ChatStream;
}

/** A JSON Schema the reply must follow (OpenAI's strict structured outputs). */
export interface JsonSchemaFormat {
  name: string;
  schema: Record<string, unknown>;
}

export interface StructuredRequest extends ChatRequest {
  format: JsonSchemaFormat;
}

export interface StructuredReply {
  /** The reply as written: the caller parses and checks it, since no server can be trusted to obey. */
  content: string;
  usage: TokenUsage;
}

/** A whole reply in one piece, held to a JSON Schema: for scoring, where nothing is spoken as it is written. */
export interface StructuredChat {
  readonly model: string;
  complete(request: StructuredRequest): Promise<StructuredReply>;
}

export interface AudioInput {
  bytes: Buffer;
  /** `audio/webm`, `audio/ogg` or `audio/wav`. */
  contentType: string;
}

export interface Transcription {
  text: string;
}

export interface SpeechToText {
  readonly model: string;
  transcribe(audio: AudioInput, options: { language: string; signal?: AbortSignal }): Promise<Transcription>;
}

export type SpeechFormat = 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';

export interface TextToSpeech {
  readonly model: string;
  readonly format: SpeechFormat;
  /**
   * Audio as it is produced, so the first bytes can leave before the sentence is fully spoken. `format`
   * overrides `this.format` for one request: the LiveKit agent asks for `pcm` (24 kHz 16-bit mono).
   */
  synthesize(
    text: string,
    options: { voice: string; signal?: AbortSignal; format?: SpeechFormat },
  ): AsyncIterable<Buffer>;
}

/** What a platform has; null where nothing is configured (the offline interviewer stands in for chat). */
export interface Providers {
  chat: ChatProvider | null;
  /** The scorer's model; the same endpoint as `chat`, perhaps a different model. */
  scoring: StructuredChat | null;
  speechToText: SpeechToText | null;
  textToSpeech: TextToSpeech | null;
}
