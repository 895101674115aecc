import type { ChatProvider, TokenUsage } from '../providers/providers.ts';
import type { InterviewBrief, Interviewer, Move, PastTurn, SpokenTurn } from './interviewer.ts';
import { followUpTag, interviewerMessages, nextTag } from './prompts.ts';

type SpokenKind = Awaited<ReturnType<SpokenTurn['kind']>>;

const maxTurnTokens = 300;

/**
 * The interviewer backed by any OpenAI-compatible chat model. The model chooses between a follow-up and the
 * next question by the tag it starts with; the engine only offers the follow-up while the job allows one,
 * and a missing or unexpected tag counts as moving on, so the limits hold whatever the model writes.
 */
export class LlmInterviewer implements Interviewer {
  readonly #chat: ChatProvider;

  constructor(chat: ChatProvider) {
    this.#chat = chat;
  }

  get model(): string {
    return this.#chat.model;
  }

  speak(brief: InterviewBrief, history: PastTurn[], move: Move, signal?: AbortSignal): SpokenTurn {
    const stream = this.#chat.stream({
      messages: interviewerMessages(brief, history, move),
      maxTokens: maxTurnTokens,
      temperature: 0.6,
      ...(signal ? { signal } : {}),
    });
    let resolveKind: (kind: SpokenKind) => void = () => undefined;
    const kind = new Promise<SpokenKind>((resolve) => {
      resolveKind = resolve;
    });
    const fixedKind: SpokenKind | null =
      move.kind === 'intro' ? 'intro' : move.kind === 'closing' ? 'closing' : null;
    const movingOn: SpokenKind = move.kind === 'after_answer' && !move.next ? 'closing' : 'question';

    async function* text(): AsyncIterable<string> {
      let head = '';
      let decided = fixedKind !== null;
      if (fixedKind) resolveKind(fixedKind);
      try {
        for await (const delta of stream) {
          if (decided) {
            yield delta;
            continue;
          }
          // Hold back the first characters until the tag (if any) is complete, then strip it.
          head += delta;
          const trimmed = head.trimStart();
          const tag = [followUpTag, nextTag].find((t) => trimmed.startsWith(t));
          if (tag || (trimmed.length >= followUpTag.length && !trimmed.startsWith('['))) {
            const followUp = tag === followUpTag && move.kind === 'after_answer' && move.mayFollowUp;
            resolveKind(followUp ? 'follow_up' : movingOn);
            decided = true;
            const rest = (tag ? trimmed.slice(tag.length) : trimmed).trimStart();
            if (rest) yield rest;
          }
        }
        if (!decided) {
          resolveKind(movingOn);
          const rest = head.trim().replace(followUpTag, '').replace(nextTag, '').trim();
          if (rest) yield rest;
        }
      } finally {
        resolveKind(movingOn);
      }
    }

    return { text: text(), kind: () => kind, usage: (): Promise<TokenUsage> => stream.usage() };
  }
}
