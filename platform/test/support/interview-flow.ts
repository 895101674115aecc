import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { expect } from 'vitest';
import { compareIds } from '../../src/sessions/event-ids.ts';
import { type ApiClient, describeResponse } from './api.ts';
import type { ChatScript, FakeUsage } from './fake-openai.ts';
import { jobInput } from './fixtures.ts';
import type { ReceivedEvent, SseClient } from './sse-client.ts';

/** A job of three questions; `settings` go into the job as given. */
export function threeQuestionJob(settings: Record<string, unknown> = {}) {
  return {
    ...jobInput,
    questions: [
      { text: 'Tell me about a system you designed.' },
      { text: 'How do you handle an outage?' },
      { text: 'What would you change about your last team?' },
    ],
    settings,
  };
}

/** Long enough (12 words or more) that the offline interviewer moves on instead of following up. */
export const longAnswer =
  'At my last company I designed the payments ledger: double-entry accounts in Postgres, idempotent writes keyed by request, and a nightly reconciliation job that caught drift early.';

export interface TranscriptTurn {
  id: string;
  seq: number;
  speaker: 'interviewer' | 'candidate';
  kind: string;
  question_index: number | null;
  text: string;
}

export async function transcriptOf(
  api: ApiClient,
  key: string,
  interviewId: string,
): Promise<TranscriptTurn[]> {
  const res = await api.call<{ turns: TranscriptTurn[] }>('GET', `/v1/interviews/${interviewId}/transcript`, {
    key,
  });
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body.turns;
}

/** `speaker:kind` of each turn, the shape of a conversation at a glance. */
export const shapeOf = (turns: TranscriptTurn[]) => turns.map((t) => `${t.speaker}:${t.kind}`);

/** Posts a text answer (expecting 202) and returns the turn it committed. */
export async function postAnswer(api: ApiClient, token: string, text = longAnswer): Promise<string> {
  const res = await api.call<{ turn_id: string }>('POST', '/v1/session/answers', {
    key: token,
    body: { text },
  });
  expect(res.status, describeResponse(res)).toBe(202);
  return res.body.turn_id;
}

/** Posts an answer and waits for the interviewer's reply to it on `events`. */
export async function answerAndHear(
  api: ApiClient,
  token: string,
  events: SseClient,
  text = longAnswer,
): Promise<ReceivedEvent> {
  const before = events.events.length;
  await postAnswer(api, token, text);
  return events.nextAfter(before, 'interviewer.done');
}

/** The `state` event saying it is the candidate's turn at question `index` (0-based). */
export const candidateTurnAt = (index: number) => (e: ReceivedEvent) =>
  e.event === 'state' && e.data.turn === 'candidate' && e.data.question_index === index;

/** Every event has an id, and the ids strictly increase: in order, none twice. */
export function expectInOrderOnce(events: ReceivedEvent[]): void {
  const ids = events.map((e) => e.id);
  expect(
    ids.every((id) => id !== null),
    'every event has an id',
  ).toBe(true);
  for (let i = 1; i < ids.length; i++) {
    expect(compareIds(ids[i - 1]!, ids[i]!), `event ${i} (${ids[i]}) comes after ${ids[i - 1]}`).toBeLessThan(
      0,
    );
  }
}

/** Runs `fn` with a client on the given database. */
export async function withDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function sql<T = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  return withDatabase(url, async (client) => (await client.query(text, values)).rows as T[]);
}

/** Polls `check` until it returns true; fails after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(50);
  }
}

/** Resolves to `promise`, or rejects after `timeoutMs` saying what was awaited. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The interviewer turn lease of an interview has lapsed (or was never taken, or was released). */
export async function leaseLapsed(databaseUrl: string, interviewId: string): Promise<boolean> {
  const [row] = await sql<{ lapsed: boolean }>(
    databaseUrl,
    `select coalesce((progress->>'leaseUntil')::timestamptz < now(), true) as lapsed from interviews where id = $1`,
    [interviewId],
  );
  return row?.lapsed ?? false;
}

export interface HeldReply {
  /** Resolves once the held request has reached the fake model: the turn's lease is taken, nothing committed. */
  reached: Promise<void>;
  /** Lets the held reply go on (a held request whose caller died is simply never answered). */
  release(): void;
}

export interface ScriptedModel {
  /** For `FakeOpenAi.setChatScript`. */
  script: ChatScript;
  /** Holds back the model's next reply until `release()`. */
  holdNextReply(): HeldReply;
  /** Chat requests received so far. */
  readonly requests: number;
}

/**
 * A fake model that plays the interviewer the way the prompts ask: it greets and asks the first question,
 * moves on to the next question it is given (tagged [NEXT], numbered by request so every reply differs),
 * and closes. Replies can be held back to catch the engine in the middle of a turn.
 */
export function scriptedModel(usage?: (instruction: string) => FakeUsage): ScriptedModel {
  const holds: { reached: () => void; released: Promise<void> }[] = [];
  let requests = 0;
  const script: ChatScript = async (messages) => {
    requests += 1;
    const request = requests;
    const instruction = messages.at(-1)?.content ?? '';
    const quoted = (label: string) => new RegExp(`${label}: "(.*)"`).exec(instruction)?.[1];
    let text: string;
    if (instruction.startsWith('Open the interview'))
      text = `Hello, I am Viva. ${quoted('ask the first question')}`;
    else if (instruction.startsWith('Close the interview')) text = 'Thank you for your time. Goodbye!';
    else {
      const next = quoted('ask the next question');
      text = next
        ? `[NEXT] Thanks (reply ${request}). ${next}`
        : `[NEXT] Thank you (reply ${request}), that was my last question. Goodbye!`;
    }
    const hold = holds.shift();
    if (hold) {
      hold.reached();
      await hold.released;
    }
    return { chunks: text.match(/\s*\S+/g) ?? [], ...(usage ? { usage: usage(instruction) } : {}) };
  };
  return {
    script,
    holdNextReply() {
      let reached: () => void = () => undefined;
      let release: () => void = () => undefined;
      const held = {
        reached: new Promise<void>((resolve) => {
          reached = resolve;
        }),
        released: new Promise<void>((resolve) => {
          release = resolve;
        }),
      };
      holds.push({ reached, released: held.released });
      return { reached: held.reached, release };
    },
    get requests() {
      return requests;
    },
  };
}
