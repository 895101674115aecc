/**
 * A zero-latency OpenAI-compatible server for the sessions benchmark, in its own process (sessions.ts starts
 * it with spawnServer), so the platform's measured latency is its own work plus loopback, never a model's.
 *
 *   POST /v1/chat/completions  streamed: the interviewer's reply, one word per chunk, all sent at once
 *   POST /v1/audio/speech      silent MP3 about as long as the words would take to say, in one write
 *
 * The chat reply follows the platform's prompts (engine/prompts.ts) the way a model would: it greets and
 * asks the first question, then acknowledges each answer with `[NEXT]` and asks the question it was given.
 * Nothing here waits: no timers, no delays between chunks. scoring-provider.ts reuses `chat` and `speech`
 * (this file serves only when it is the script node runs).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceAndServe } from './server-process.ts';

export interface ChatBody {
  model?: unknown;
  messages?: { role: string; content: string }[];
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

/** What the interviewer says, decided from the instruction the platform puts last. */
function reply(instruction: string): string {
  const quoted = (label: string): string | undefined =>
    new RegExp(`${label}: "([^"]*)"`).exec(instruction)?.[1];
  if (instruction.startsWith('Open the interview')) {
    return `Hello, I am Viva, and I will be your interviewer today. ${quoted('ask the first question') ?? 'Tell me about yourself.'}`;
  }
  if (instruction.startsWith('Close the interview')) {
    return 'Thank you for your time today. The team will be in touch about next steps. Goodbye!';
  }
  const next = quoted('ask the next question');
  return next
    ? `[NEXT] Thank you, that is a helpful example. ${next}`
    : '[NEXT] Thank you, that was my last question. The team will be in touch. Goodbye!';
}

export function chat(body: ChatBody, res: ServerResponse): void {
  if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.stream !== true) {
    sendError(res, 400, 'This fake only streams: model, messages and stream: true are required.');
    return;
  }
  const messages = body.messages;
  const words = reply(messages.at(-1)?.content ?? '').match(/\s*\S+/g) ?? [];
  const promptChars = messages.reduce((sum, message) => sum + String(message.content).length, 0);
  const usage = {
    prompt_tokens: Math.ceil(promptChars / 4),
    completion_tokens: words.length,
    total_tokens: Math.ceil(promptChars / 4) + words.length,
  };
  const includeUsage = body.stream_options?.include_usage === true;
  const base = `"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(body.model)}`;
  const chunk = (choice: unknown): string =>
    `data: {${base},"choices":[${JSON.stringify(choice)}]${includeUsage ? ',"usage":null' : ''}}\n\n`;
  let out = chunk({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null });
  for (const content of words) out += chunk({ index: 0, delta: { content }, finish_reason: null });
  out += chunk({ index: 0, delta: {}, finish_reason: 'stop' });
  if (includeUsage) out += `data: {${base},"choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.end(`${out}data: [DONE]\n\n`);
}

/** One MPEG-1 Layer III frame of silence: 64 kb/s, 44.1 kHz, mono, 208 bytes, 26 ms. */
const silentFrame = Buffer.alloc(208);
silentFrame.set([0xff, 0xfb, 0x50, 0xc0]);
const frameMs = 1152 / 44.1;

export function speech(
  body: { input?: unknown; voice?: unknown; response_format?: unknown },
  res: ServerResponse,
): void {
  if (typeof body.input !== 'string' || typeof body.voice !== 'string') {
    sendError(res, 400, 'input and voice are required.');
    return;
  }
  if ((body.response_format ?? 'mp3') !== 'mp3') {
    sendError(res, 400, 'This fake speaks mp3 only.');
    return;
  }
  // About as long as the words would take to say: 60 ms a character.
  const frames = Math.max(1, Math.ceil((body.input.length * 60) / frameMs));
  res.writeHead(200, { 'content-type': 'audio/mpeg' });
  res.end(Buffer.concat(Array.from({ length: frames }, () => silentFrame)));
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = Buffer.concat(await req.toArray()).toString('utf8');
  const route = `${req.method} ${new URL(req.url ?? '/', 'http://fake').pathname}`;
  if (route === 'POST /v1/chat/completions') return chat(JSON.parse(raw) as ChatBody, res);
  if (route === 'POST /v1/audio/speech') return speech(JSON.parse(raw) as Record<string, unknown>, res);
  sendError(res, 404, `Unknown route ${route}.`);
}

function serve(): void {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `Fake provider failed: ${String(error)}`);
      else res.destroy();
    });
  });
  // The platform keeps its provider connections alive; don't let an idle one drop under it mid-request.
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    announceAndServe(`http://127.0.0.1:${port}`, async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
  });
}

if (process.argv[1] === import.meta.filename) serve();
