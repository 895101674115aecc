import type OpenAI from 'openai';
import { type OpenAiEndpoint, openAiClient } from './openai-client.ts';
import type { StructuredChat, StructuredReply, StructuredRequest } from './providers.ts';

export interface OpenAiStructuredChatOptions extends OpenAiEndpoint {
  model: string;
  tokenLimitField?: 'max_tokens' | 'max_completion_tokens';
  /** The whole reply: nothing streams, so this bounds the call end to end. */
  timeoutMs?: number;
  maxRetries?: number;
}

/**
 * Chat completions held to a JSON Schema with `response_format: json_schema` in strict mode, through any
 * OpenAI-compatible endpoint that supports structured outputs (OpenAI, Azure OpenAI, vLLM, Ollama...).
 */
export class OpenAiStructuredChat implements StructuredChat {
  readonly model: string;
  readonly #client: OpenAI;
  readonly #tokenLimitField: 'max_tokens' | 'max_completion_tokens';

  constructor(options: OpenAiStructuredChatOptions) {
    this.model = options.model;
    this.#tokenLimitField = options.tokenLimitField ?? 'max_tokens';
    this.#client = openAiClient(options, {
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  async complete(request: StructuredRequest): Promise<StructuredReply> {
    const limit =
      this.#tokenLimitField === 'max_tokens'
        ? { max_tokens: request.maxTokens }
        : { max_completion_tokens: request.maxTokens };
    const completion = await this.#client.chat.completions.create(
      {
        model: this.model,
        messages: request.messages,
        response_format: {
          type: 'json_schema',
          json_schema: { name: request.format.name, schema: request.format.schema, strict: true },
        },
        ...limit,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      },
      { signal: request.signal ?? null },
    );
    const choice = completion.choices[0];
    // A refusal or a reply cut off at the token limit is not the object asked for; the caller treats it as
    // malformed, like any reply that does not parse.
    const content = choice?.finish_reason === 'length' ? '' : (choice?.message.content ?? '');
    const usage = completion.usage;
    return {
      content,
      usage: usage
        ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
        : {
            promptTokens: Math.ceil(request.messages.reduce((n, m) => n + m.content.length, 0) / 4),
            completionTokens: Math.ceil(content.length / 4),
          },
    };
  }
}
