/**
 * The fake OpenAI-compatible provider for the scoring benchmark, in its own process (scoring.ts starts it
 * with spawnServer). The interviewer's streamed chat and its speech are fake-provider.ts's, answered at
 * once; scoring calls, non-streamed chat completions with `response_format: json_schema`, are answered
 * after BENCH_SCORING_DELAY_MS (2000 unless set), the way a model that takes that long to write would.
 *
 *   POST /v1/chat/completions  `stream: true`: the interviewer (fake-provider.ts); `json_schema`: a score
 *   POST /v1/audio/speech      silent MP3 (fake-provider.ts)
 *   GET  /bench/scoring        what the scoring calls did since the last reset (ScoringStats)
 *   POST /bench/scoring/reset  starts counting afresh
 *
 * A `dimension_score` reply quotes the start of the first candidate turn in the prompt's <transcript>, word
 * for word, so the platform's evidence check passes and it never asks again; an `interview_summary` reply
 * is a fixed summary. Every reply is valid against its schema.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ChatBody, chat, sendError, speech } from './fake-provider.ts';
import { announceAndServe } from './server-process.ts';

/** What the scoring calls did: the bench checks the in-flight maximum against the platform's cap. */
export interface ScoringStats {
  /** Scoring calls received (each retry by the platform's client counts again). */
  calls: number;
  dimensionCalls: number;
  summaryCalls: number;
  /** Dimension calls carrying a previous answer: the platform asked again because a quote failed. */
  reasks: number;
  /** Calls this fake could not answer as asked (no dimension key, unknown schema). */
  refused: number;
  /** Calls received and not yet answered (or abandoned by the platform). */
  inFlight: number;
  maxInFlight: number;
  /** Calls abandoned by the platform before their reply was sent (its timeout, say). */
  aborted: number;
  /** Epoch ms when the first call came in, and when the last reply went out; null before any. */
  firstCallAt: number | null;
  lastReplyAt: number | null;
}

interface StructuredBody extends ChatBody {
  response_format?: { type?: unknown; json_schema?: { name?: unknown; strict?: unknown } };
}

const delayMs = Number(process.env.BENCH_SCORING_DELAY_MS ?? 2000);
if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error('BENCH_SCORING_DELAY_MS must be a number');

function freshStats(inFlight = 0): ScoringStats {
  return {
    calls: 0,
    dimensionCalls: 0,
    summaryCalls: 0,
    reasks: 0,
    refused: 0,
    inFlight,
    maxInFlight: inFlight,
    aborted: 0,
    firstCallAt: null,
    lastReplyAt: null,
  };
}

let stats = freshStats();

interface TranscriptLine {
  turn_id?: unknown;
  speaker?: unknown;
  text?: unknown;
}

/** The first candidate turn of the prompt's <transcript> block: one JSON object per line. */
function firstCandidateTurn(prompt: string): { turnId: string; text: string } | null {
  const block = /<transcript>\n([\s\S]*?)\n<\/transcript>/.exec(prompt)?.[1];
  for (const line of block?.split('\n') ?? []) {
    const turn = JSON.parse(line) as TranscriptLine;
    if (turn.speaker === 'candidate' && typeof turn.turn_id === 'string' && typeof turn.text === 'string') {
      if (turn.text.trim() !== '') return { turnId: turn.turn_id, text: turn.text };
    }
  }
  return null;
}

/** A score from 2 to 4 that depends only on the key, so reruns score alike. */
function scoreFor(key: string): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 2 + (hash % 3);
}

function dimensionReply(messages: { role: string; content: string }[]): string | null {
  const prompt = messages.find((m) => m.role === 'user')?.content ?? '';
  const key = /\(key ([a-z][a-z0-9_]*)\)/.exec(prompt)?.[1];
  if (!key) return null;
  const turn = firstCandidateTurn(prompt);
  const score = turn ? scoreFor(key) : 1;
  // A prefix of the turn's own text, cut at a word boundary: it occurs in the turn exactly as written.
  const quote = turn ? turn.text.split(/\s+/).slice(0, 12).join(' ') : '';
  return JSON.stringify({
    score,
    rationale: `The candidate gave a concrete example that bears on ${key}. The evidence shows how they approached it.`,
    evidence: turn ? [{ turn_id: turn.turnId, quote }] : [],
  });
}

const summaryReply = JSON.stringify({
  summary:
    'The candidate described a payments ledger they designed and how they kept it consistent. They answered every question with a concrete example.',
  strengths: ['Gives concrete examples from real systems.', 'Thinks about failure and reconciliation.'],
  concerns: ['Says little about working with other teams.'],
});

function structured(body: StructuredBody, res: ServerResponse): void {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const name = body.response_format?.json_schema?.name;
  stats.calls += 1;
  stats.firstCallAt ??= Date.now();
  stats.inFlight += 1;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  // The counters belong to the stats of the moment the call came in: a reset does not undo calls in flight.
  const counted = stats;
  let answered = false;
  let content: string | null = null;
  if (name === 'dimension_score') {
    counted.dimensionCalls += 1;
    if (messages.length > 2) counted.reasks += 1;
    content = dimensionReply(messages);
  } else if (name === 'interview_summary') {
    counted.summaryCalls += 1;
    content = summaryReply;
  }
  const timer = setTimeout(() => {
    answered = true;
    if (content === null) {
      counted.refused += 1;
      sendError(res, 400, `This fake cannot answer a "${String(name)}" call without a dimension key.`);
      return;
    }
    const promptChars = messages.reduce((sum, message) => sum + String(message.content).length, 0);
    const usage = {
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: Math.ceil(content.length / 4),
      total_tokens: Math.ceil(promptChars / 4) + Math.ceil(content.length / 4),
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-bench-scoring',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage,
      }),
    );
    counted.lastReplyAt = Date.now();
  }, delayMs);
  res.once('close', () => {
    clearTimeout(timer);
    if (!answered) counted.aborted += 1;
    stats.inFlight -= 1;
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = Buffer.concat(await req.toArray()).toString('utf8');
  const route = `${req.method} ${new URL(req.url ?? '/', 'http://fake').pathname}`;
  if (route === 'POST /v1/chat/completions') {
    const body = JSON.parse(raw) as StructuredBody;
    if (body.stream !== true && body.response_format?.type === 'json_schema') return structured(body, res);
    return chat(body, res);
  }
  if (route === 'POST /v1/audio/speech') return speech(JSON.parse(raw) as Record<string, unknown>, res);
  if (route === 'GET /bench/scoring') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  if (route === 'POST /bench/scoring/reset') {
    stats = freshStats(stats.inFlight);
    res.writeHead(204).end();
    return;
  }
  sendError(res, 404, `Unknown route ${route}.`);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    if (!res.headersSent) sendError(res, 500, `Fake provider failed: ${String(error)}`);
    else res.destroy();
  });
});
// The platform keeps its provider connections alive; don't let an idle one drop under it mid-request.
server.keepAliveTimeout = 60_000;
// A backlog for the hundreds of connections a burst of scoring calls may open at once.
server.listen(0, '127.0.0.1', 1024, () => {
  const { port } = server.address() as AddressInfo;
  announceAndServe(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
