import type OpenAI from 'openai';
import { APIUserAbortError } from 'openai';
import { type OpenAiEndpoint, openAiClient } from './openai-client.ts';
import type { ChatProvider, ChatRequest, ChatStream, TokenUsage } from './providers.ts';

export interface OpenAiChatOptions extends OpenAiEndpoint {
  model: string;
  /**
   * OpenAI's own API wants `max_completion_tokens` (its reasoning models refuse `max_tokens`); many
   * compatible servers only know the older `max_tokens`.
   */
  tokenLimitField?: 'max_tokens' | 'max_completion_tokens';
  /** Until the response starts; the stream itself may run longer. */
  timeoutMs?: number;
  maxRetries?: number;
}

/** Chat through any OpenAI-compatible `/chat/completions` endpoint, streamed. */
export class OpenAiChat implements ChatProvider {
  readonly model: string;
  readonly #client: OpenAI;
  readonly #tokenLimitField: 'max_tokens' | 'max_completion_tokens';

  constructor(options: OpenAiChatOptions) {
    this.model = options.model;
    this.#tokenLimitField = options.tokenLimitField ?? 'max_tokens';
    // A short wait: a stalled provider should hand the turn to the offline interviewer quickly.
    this.#client = openAiClient(options, {
      timeoutMs: options.timeoutMs ?? 15_000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  stream(request: ChatRequest): ChatStream {
    const client = this.#client;
    const limit =
      this.#tokenLimitField === 'max_tokens'
        ? { max_tokens: request.maxTokens }
        : { max_completion_tokens: request.maxTokens };
    const body: OpenAI.ChatCompletionCreateParamsStreaming = {
      model: this.model,
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      ...limit,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    };
    let settle: (usage: TokenUsage) => void = () => undefined;
    const usage = new Promise<TokenUsage>((resolve) => {
      settle = resolve;
    });

    async function* deltas(): AsyncGenerator<string> {
      let reported: TokenUsage | null = null;
      let written = 0;
      try {
        const chunks = await client.chat.completions.create(body, { signal: request.signal ?? null });
        for await (const chunk of chunks) {
          // The usage chunk comes last with no choices; some servers repeat usage on every chunk.
          if (chunk.usage) {
            reported = {
              promptTokens: chunk.usage.prompt_tokens,
              completionTokens: chunk.usage.completion_tokens,
            };
          }
          const content = chunk.choices[0]?.delta?.content;
          if (content) {
            written += content.length;
            yield content;
          }
        }
        // The client ends an aborted stream quietly, as if the reply were complete: say it was not.
        if (request.signal?.aborted) throw new APIUserAbortError();
      } finally {
        // Settles even on failure or abort, since what was already sent and written is still paid for.
        settle(reported ?? estimateUsage(request, written));
      }
    }

    const iterator = deltas();
    return { [Symbol.asyncIterator]: () => iterator, usage: () => usage };
  }
}

/**
 * Many OpenAI-compatible servers ignore `stream_options.include_usage` and never send usage. Then
 * the usual rule of thumb of four characters to a token stands in, for the prompt and the reply alike.
 */
function estimateUsage(request: ChatRequest, completionChars: number): TokenUsage {
  const promptChars = request.messages.reduce((sum, message) => sum + message.content.length, 0);
  return { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(completionChars / 4) };
}
