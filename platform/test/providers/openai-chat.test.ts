import OpenAI, { APIConnectionTimeoutError, APIUserAbortError, InternalServerError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiChat } from '../../src/providers/openai-chat.ts';
import type { ChatMessage, ChatStream } from '../../src/providers/providers.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../support/fake-openai.ts';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are Viva, a friendly interviewer.' },
  { role: 'user', content: 'I built a search engine for recipes.' },
];

async function drain(stream: ChatStream): Promise<string[]> {
  const deltas: string[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
}

describe('OpenAiChat against an OpenAI-compatible server', () => {
  let fake: FakeOpenAi;
  let chat: OpenAiChat;

  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-test-chat' });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setLatency(0);
    chat = new OpenAiChat({ apiKey: 'sk-test-chat', baseUrl: fake.baseUrl, model: 'gpt-test' });
  });

  it('streams the reply delta by delta and reports the usage the server sends', async () => {
    fake.setChatScript(() => ({
      chunks: ['Great', ' work.', ' What', ' was hard?'],
      usage: { prompt_tokens: 42, completion_tokens: 7 },
    }));
    const stream = chat.stream({ messages, maxTokens: 300, temperature: 0.6 });
    expect(await drain(stream)).toEqual(['Great', ' work.', ' What', ' was hard?']);
    expect(await stream.usage()).toEqual({ promptTokens: 42, completionTokens: 7 });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-test-chat' },
      body: {
        model: 'gpt-test',
        messages,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 300,
        temperature: 0.6,
      },
    });
  });

  it('sends max_completion_tokens instead when told to (OpenAI itself), and no temperature unless given', async () => {
    const openAiStyle = new OpenAiChat({
      apiKey: 'sk-test-chat',
      baseUrl: fake.baseUrl,
      model: 'gpt-test',
      tokenLimitField: 'max_completion_tokens',
    });
    await drain(openAiStyle.stream({ messages, maxTokens: 120 }));
    const body = fake.requests[0]?.body as Record<string, unknown>;
    expect(body.max_completion_tokens, JSON.stringify(body)).toBe(120);
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('temperature');
  });

  it('estimates usage at four characters a token when the server sends none', async () => {
    fake.setChatScript(() => ({ chunks: ['Tell me', ' more.'], usage: null }));
    const stream = chat.stream({ messages, maxTokens: 300 });
    expect((await drain(stream)).join('')).toBe('Tell me more.');
    const promptChars = messages.reduce((sum, m) => sum + m.content.length, 0);
    expect(await stream.usage()).toEqual({
      promptTokens: Math.ceil(promptChars / 4),
      completionTokens: Math.ceil('Tell me more.'.length / 4),
    });
  });

  it('stops mid-stream when aborted, and the server sees the request dropped', async () => {
    fake.setChatScript(() => ({ chunks: Array.from({ length: 50 }, (_, i) => ` word${i}`), delayMs: 20 }));
    const controller = new AbortController();
    const stream = chat.stream({ messages, maxTokens: 300, signal: controller.signal });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const delta of stream) {
        received.push(delta);
        if (received.length === 2) controller.abort();
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIUserAbortError);
    expect(received).toEqual([' word0', ' word1']);
    // What was sent and written so far is still counted.
    expect((await stream.usage()).completionTokens).toBeGreaterThan(0);
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('drops the request when the reader stops early', async () => {
    fake.setChatScript(() => ({ chunks: Array.from({ length: 50 }, (_, i) => ` word${i}`), delayMs: 20 }));
    const stream = chat.stream({ messages, maxTokens: 300 });
    for await (const delta of stream) {
      expect(delta).toBe(' word0');
      break;
    }
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('fails at once when the signal was aborted before the call', async () => {
    const stream = chat.stream({ messages, maxTokens: 300, signal: AbortSignal.abort() });
    await expect(drain(stream)).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('retries a server error and then streams', async () => {
    fake.setChatScript(() => 'Second time lucky.');
    fake.failNext(500);
    const stream = chat.stream({ messages, maxTokens: 300 });
    expect((await drain(stream)).join('')).toBe('Second time lucky.');
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
  });

  it('gives up after two retries', async () => {
    fake.failNext(503, 3);
    const stream = chat.stream({ messages, maxTokens: 300 });
    await expect(drain(stream)).rejects.toBeInstanceOf(InternalServerError);
    expect(fake.requests).toHaveLength(3);
    expect(await stream.usage()).toMatchObject({ completionTokens: 0 });
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    const impatient = new OpenAiChat({
      apiKey: 'sk-test-chat',
      baseUrl: fake.baseUrl,
      model: 'gpt-test',
      timeoutMs: 100,
      maxRetries: 0,
    });
    fake.setLatency(1_000);
    await expect(drain(impatient.stream({ messages, maxTokens: 300 }))).rejects.toBeInstanceOf(
      APIConnectionTimeoutError,
    );
  });

  it('answers a non-streamed request with the script as the message, as scoring asks', async () => {
    fake.setChatScript((_messages, body) => JSON.stringify({ format: body.response_format }));
    const client = new OpenAI({ apiKey: 'sk-test-chat', baseURL: fake.baseUrl });
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: { name: 'scorecard', schema: { type: 'object' }, strict: true },
    };
    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages,
      response_format: responseFormat,
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ format: responseFormat });
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });
});
