import type { LimitFunction } from 'p-limit';
import type { RubricDimension } from '../jobs/job.entity.ts';
import type { ChatMessage, JsonSchemaFormat, StructuredChat, TokenUsage } from '../providers/providers.ts';
import { checkEvidence } from './evidence.ts';
import { addUsage, type Scored, type Scorer, ScoringError } from './scorer.ts';
import {
  dimensionFormat,
  dimensionMessages,
  reaskMessage,
  scoringPromptVersion,
  summaryFormat,
  summaryMessages,
} from './scoring-prompts.ts';
import {
  type DimensionReply,
  type DimensionResult,
  type Evidence,
  maxScore,
  maxSummaryPoints,
  type ScoringInput,
  type SummaryResult,
} from './scoring-types.ts';

const maxTokens = 1200;

/**
 * Scores with a language model: one call per dimension and one for the summary, each independent so they
 * run in parallel (within the provider's concurrency cap, `limit`). Replies are held to a JSON Schema by the
 * provider, and checked again here, since not every compatible server enforces it.
 */
export class ModelScorer implements Scorer {
  readonly promptVersion = scoringPromptVersion;
  readonly #chat: StructuredChat;
  readonly #limit: LimitFunction;

  constructor(chat: StructuredChat, limit: LimitFunction) {
    this.#chat = chat;
    this.#limit = limit;
  }

  get model(): string {
    return this.#chat.model;
  }

  async scoreDimension(input: ScoringInput, dimension: RubricDimension): Promise<Scored<DimensionResult>> {
    const messages = dimensionMessages(input, dimension);
    const first = await this.#ask(messages, dimensionFormat);
    const reply = paid(first.usage, () => parseDimension(first.content, dimension.key));
    const checked = checkEvidence(reply.evidence, input.turns);
    if (checked.dropped.length === 0) {
      return { value: result(dimension.key, reply, checked.kept, [], false), usage: first.usage };
    }
    // Asked once more, told which quotes failed. Whatever the second reply says, only checked quotes stand.
    const again = await this.#ask([...messages, reaskMessage(reply, checked.dropped)], dimensionFormat).catch(
      (error: unknown) => {
        throw error instanceof ScoringError ? error.withUsage(first.usage) : error;
      },
    );
    const usage = addUsage(first.usage, again.usage);
    let second: DimensionReply;
    try {
      second = parseDimension(again.content, dimension.key);
    } catch {
      // A garbled second answer does not undo a well-formed first one: its checked quotes stand.
      return { value: result(dimension.key, reply, checked.kept, checked.dropped, true), usage };
    }
    const rechecked = checkEvidence(second.evidence, input.turns);
    const dropped = [...checked.dropped, ...rechecked.dropped];
    return { value: result(dimension.key, second, rechecked.kept, dropped, true), usage };
  }

  async summarise(input: ScoringInput): Promise<Scored<SummaryResult>> {
    const reply = await this.#ask(summaryMessages(input), summaryFormat);
    return { value: paid(reply.usage, () => parseSummary(reply.content)), usage: reply.usage };
  }

  async #ask(
    messages: ChatMessage[],
    format: JsonSchemaFormat,
  ): Promise<{ content: string; usage: TokenUsage }> {
    try {
      return await this.#limit(() => this.#chat.complete({ messages, format, maxTokens, temperature: 0 }));
    } catch (error) {
      throw new ScoringError('provider_error', `The scoring model could not be reached: ${describe(error)}`, {
        cause: error,
      });
    }
  }
}

/** Runs `parse`; a reply it refuses still cost `usage`, which its error carries to the scorecard. */
function paid<T>(usage: TokenUsage, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw error instanceof ScoringError ? error.withUsage(usage) : error;
  }
}

function result(
  key: string,
  reply: DimensionReply,
  evidence: Evidence[],
  droppedEvidence: Evidence[],
  reasked: boolean,
): DimensionResult {
  return { key, score: reply.score, rationale: reply.rationale, evidence, droppedEvidence, reasked };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// PostgreSQL stores neither U+0000 nor half a surrogate pair, in text or jsonb: a reply holding one could
// never be saved. Neither is anything a recruiter needs to read.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string as it can be stored: NUL dropped, a lone surrogate replaced by U+FFFD. */
function storable(text: string): string {
  return text.replaceAll('\u0000', '').replace(loneSurrogate, '\uFFFD');
}

function parseJson(content: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    // Every string in the reply, at any depth, made storable as it is read.
    parsed = JSON.parse(content, (_key, value: unknown) =>
      typeof value === 'string' ? storable(value) : value,
    );
  } catch {
    throw new ScoringError(
      'malformed_output',
      `The ${what} reply is not JSON: ${JSON.stringify(content.slice(0, 120))}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ScoringError('malformed_output', `The ${what} reply is not a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}

function parseDimension(content: string, key: string): DimensionReply {
  const what = `"${key}" score`;
  const reply = parseJson(content, what);
  const { score, rationale, evidence } = reply;
  if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > maxScore) {
    throw new ScoringError(
      'malformed_output',
      `The ${what} reply has no integer score from 1 to ${maxScore}.`,
    );
  }
  if (typeof rationale !== 'string' || rationale.trim() === '') {
    throw new ScoringError('malformed_output', `The ${what} reply has no rationale.`);
  }
  if (!Array.isArray(evidence)) {
    throw new ScoringError('malformed_output', `The ${what} reply has no evidence list.`);
  }
  const quotes: Evidence[] = [];
  for (const item of evidence) {
    const entry = item as Record<string, unknown> | null;
    if (typeof entry?.turn_id !== 'string' || typeof entry.quote !== 'string') {
      throw new ScoringError(
        'malformed_output',
        `The ${what} reply has evidence without a turn_id and quote.`,
      );
    }
    quotes.push({ turnId: entry.turn_id, quote: entry.quote });
  }
  return { score, rationale: rationale.trim(), evidence: quotes };
}

function parseSummary(content: string): SummaryResult {
  const reply = parseJson(content, 'summary');
  const strings = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (typeof reply.summary !== 'string' || !strings(reply.strengths) || !strings(reply.concerns)) {
    throw new ScoringError('malformed_output', 'The summary reply lacks a summary, strengths or concerns.');
  }
  const clean = (items: string[]) =>
    items
      .map((s) => s.trim())
      .filter(Boolean)
      .slice(0, maxSummaryPoints);
  return {
    summary: reply.summary.trim(),
    strengths: clean(reply.strengths),
    concerns: clean(reply.concerns),
  };
}
