import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A stand-in for OpenAI's API (OpenAI is paid and unreachable here), spoken to over real HTTP by the
 * real `openai` client: streamed and plain chat completions, transcriptions and speech. It records
 * every request, and can be scripted, slowed down, or made to fail.
 */

export interface RecordedRequest {
  method: string;
  /** Without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The parsed JSON body, when there was one (null otherwise). */
  body: unknown;
  /** The parsed multipart/form-data body, when there was one. */
  form: { fields: Record<string, string>; files: RecordedFile[] } | null;
  /** The client hung up before the response was complete (an abort, or a timeout). */
  aborted: boolean;
}

export interface RecordedFile {
  field: string;
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface FakeChatMessage {
  role: string;
  content: string;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface ChatReply {
  chunks: string[];
  /** Pause before each chunk. */
  delayMs?: number;
  /** Overrides the made-up usage; null sends none even when asked, as many compatible servers do. */
  usage?: FakeUsage | null;
  /** Drops the connection after this many chunks, as a provider failing mid-reply does. */
  breakAfter?: number;
}

/** Given the messages (and the whole request body), what the model "writes". */
export type ChatScript = (
  messages: FakeChatMessage[],
  body: Record<string, unknown>,
) => string | ChatReply | Promise<string | ChatReply>;

/** What the model "hears"; a promise holds the transcription back until it settles. */
export type TranscriptScript = (audio: Buffer, contentType: string) => string | Promise<string>;

export interface FakeOpenAiOptions {
  chatScript?: ChatScript;
  transcript?: TranscriptScript;
  latencyMs?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
}

export interface FakeOpenAi {
  /** `http://127.0.0.1:PORT/v1`, ready for `new OpenAI({ baseURL })`. */
  baseUrl: string;
  requests: RecordedRequest[];
  setChatScript(script: ChatScript): void;
  setTranscript(script: TranscriptScript): void;
  /** Delay before every response starts. */
  setLatency(ms: number): void;
  /** The next `times` requests, whatever the route, answer `status` with an OpenAI-style error. */
  failNext(status: number, times?: number): void;
  stop(): Promise<void>;
}

const defaultChatScript: ChatScript = () => 'Thank you. Could you tell me more about that?';
const defaultTranscript: TranscriptScript = () => 'This is my answer.';

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  let chatScript = options.chatScript ?? defaultChatScript;
  let transcript = options.transcript ?? defaultTranscript;
  let latencyMs = options.latencyMs ?? 0;
  const failures: number[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = Buffer.concat(await req.toArray());
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const contentType = req.headers['content-type'] ?? '';
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)])),
      body: contentType.startsWith('application/json') ? JSON.parse(raw.toString('utf8')) : null,
      form: contentType.startsWith('multipart/form-data') ? await parseForm(raw, contentType) : null,
      aborted: false,
    };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.aborted = true;
    });
    if (latencyMs > 0) await sleep(latencyMs);
    const failure = failures.shift();
    if (failure !== undefined) {
      // Asks the client to retry at once, keeping retry tests fast.
      return sendError(res, failure, 'Injected failure.', { 'retry-after-ms': '5' });
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, 401, 'Incorrect API key provided.');
    }
    const route = `${req.method} ${path}`;
    if (route === 'POST /v1/chat/completions') return chat(recorded.body, res);
    if (route === 'POST /v1/audio/transcriptions') return transcribe(recorded.form, res);
    if (route === 'POST /v1/audio/speech') return speech(recorded.body, res);
    return sendError(res, 404, `Unknown route ${route}.`);
  }

  async function chat(json: unknown, res: ServerResponse): Promise<void> {
    const body = isObject(json) ? json : {};
    const messages = body.messages;
    if (typeof body.model !== 'string' || !Array.isArray(messages)) {
      return sendError(res, 400, 'model and messages are required.');
    }
    const script = await chatScript(messages as FakeChatMessage[], body);
    const reply: ChatReply = typeof script === 'string' ? { chunks: script.match(/\s*\S+/g) ?? [] } : script;
    const promptWords = (messages as FakeChatMessage[])
      .map((m) => String(m.content))
      .join(' ')
      .split(/\s+/).length;
    const usage =
      reply.usage === undefined
        ? { prompt_tokens: promptWords, completion_tokens: reply.chunks.length }
        : reply.usage;
    const base = { id: 'chatcmpl-fake', created: Math.floor(Date.now() / 1000), model: body.model };
    const usageField = usage && { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    if (body.stream !== true) {
      const message = { role: 'assistant', content: reply.chunks.join(''), refusal: null };
      return sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message, logprobs: null, finish_reason: 'stop' }],
        ...(usageField ? { usage: usageField } : {}),
      });
    }
    const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
    const chunk = (choices: unknown[]) => ({
      ...base,
      object: 'chat.completion.chunk',
      choices,
      ...(includeUsage ? { usage: null } : {}),
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events: unknown[] = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    ];
    for (const content of reply.chunks)
      events.push(chunk([{ index: 0, delta: { content }, finish_reason: null }]));
    events.push(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    if (includeUsage && usageField) events.push({ ...chunk([]), usage: usageField });
    for (const [index, event] of events.entries()) {
      if (reply.delayMs && index > 0) await sleep(reply.delayMs);
      if (res.destroyed) return;
      // The role chunk is index 0, so `breakAfter` content chunks have gone out.
      if (reply.breakAfter !== undefined && index > reply.breakAfter) {
        res.destroy();
        return;
      }
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  async function transcribe(form: RecordedRequest['form'], res: ServerResponse): Promise<void> {
    const file = form?.files.find((f) => f.field === 'file');
    if (!form || !file || !form.fields.model) return sendError(res, 400, 'file and model are required.');
    const text = await transcript(file.bytes, file.contentType);
    if (form.fields.response_format === 'text') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
      return;
    }
    sendJson(res, 200, { text, usage: { type: 'duration', seconds: 1 } });
  }

  async function speech(json: unknown, res: ServerResponse): Promise<void> {
    const body = isObject(json) ? json : {};
    const { model, input, voice } = body;
    const format = body.response_format ?? 'mp3';
    if (typeof model !== 'string' || typeof input !== 'string' || typeof voice !== 'string') {
      return sendError(res, 400, 'model, input and voice are required.');
    }
    // About as long as the words would take to say.
    const durationMs = Math.min(10_000, Math.max(200, input.length * 60));
    const audio =
      format === 'mp3'
        ? silentMp3(durationMs)
        : format === 'wav'
          ? silentWav(durationMs)
          : format === 'pcm'
            ? pcmTone(durationMs)
            : null;
    if (audio === null)
      return sendError(res, 400, `This fake speaks mp3, wav and pcm, not ${String(format)}.`);
    const types: Record<string, string> = { mp3: 'audio/mpeg', wav: 'audio/wav', pcm: 'audio/pcm' };
    res.writeHead(200, { 'content-type': types[String(format)]! });
    const pieces = 3;
    const size = Math.ceil(audio.length / pieces);
    for (let at = 0; at < audio.length; at += size) {
      if (at > 0) await sleep(5);
      if (res.destroyed) return;
      res.write(audio.subarray(at, at + size));
    }
    res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `Fake server failed: ${String(error)}`);
      else res.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    setChatScript(script) {
      chatScript = script;
    },
    setTranscript(script) {
      transcript = script;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code: null } }, headers);
}

// The web platform's own multipart parser, as Node 22 ships it: no dependency needed.
async function parseForm(body: Buffer, contentType: string): Promise<NonNullable<RecordedRequest['form']>> {
  const form = await new Request('http://fake/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  }).formData();
  const fields: Record<string, string> = {};
  const files: RecordedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') fields[field] = value;
    else
      files.push({
        field,
        name: value.name,
        contentType: value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
  }
  return { fields, files };
}

/** 16-bit mono PCM silence in a WAV container. */
export function silentWav(durationMs: number, sampleRate = 24_000): Buffer {
  const dataSize = Math.round((durationMs / 1000) * sampleRate) * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + dataSize, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataSize, 40);
  return Buffer.concat([header, Buffer.alloc(dataSize)]);
}

/**
 * OpenAI's `pcm` speech format: raw 24 kHz 16-bit little-endian mono samples, no header. A quiet 220 Hz
 * tone rather than silence, so what the LiveKit agent plays can be told from nothing.
 */
export function pcmTone(durationMs: number, sampleRate = 24_000): Buffer {
  const samples = Math.round((durationMs / 1000) * sampleRate);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 220 * i) / sampleRate) * 3000), i * 2);
  }
  return pcm;
}

/**
 * MPEG-1 Layer III silence: 128 kb/s, 44.1 kHz mono frames of 417 bytes (1152 samples each) whose side
 * information is all zeros, so every frame carries no audio data and decodes to silence.
 */
export function silentMp3(durationMs: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc0]);
  const frames = Math.max(1, Math.ceil((durationMs / 1000) * (44_100 / 1152)));
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}
