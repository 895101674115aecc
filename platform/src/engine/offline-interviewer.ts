import type { InterviewBrief, Interviewer, Move, PastTurn, SpokenTurn } from './interviewer.ts';

/** Below this many words an answer counts as thin and earns a follow-up, while follow-ups remain. */
const thinAnswerWords = 12;

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}

/**
 * The built-in interviewer: no network, no cost, fully deterministic. It walks the job's question plan,
 * asks a follow-up when an answer is short, and closes politely. Test mode always uses it.
 */
export class OfflineInterviewer implements Interviewer {
  readonly model = 'offline';

  speak(brief: InterviewBrief, history: PastTurn[], move: Move): SpokenTurn {
    const [text, kind] = this.#say(brief, history, move);
    return {
      text: (async function* () {
        // Word by word, so the widget's captions behave as they do with a streaming LLM.
        for (const word of text.split(/(?<=\s)/)) yield word;
      })(),
      kind: async () => kind,
      usage: async () => ({ promptTokens: 0, completionTokens: 0 }),
    };
  }

  #say(
    brief: InterviewBrief,
    history: PastTurn[],
    move: Move,
  ): [string, Awaited<ReturnType<SpokenTurn['kind']>>] {
    if (move.kind === 'intro') {
      const greeting = firstName(brief.candidateName) ? `Hi ${firstName(brief.candidateName)}, ` : 'Hi, ';
      const at = brief.companyName ? ` at ${brief.companyName}` : '';
      const count = brief.questionCount === 1 ? 'one question' : `${brief.questionCount} questions`;
      return [
        `${greeting}I'm ${brief.interviewerName}, and I'll be interviewing you today for the ${brief.jobTitle} role${at}. ` +
          `I have ${count} for you, and we have up to ${brief.maxMinutes} minutes. Take your time with each answer. ` +
          `Let's begin. ${move.question.text}`,
        'intro',
      ];
    }
    if (move.kind === 'closing') {
      const why =
        move.reason === 'time_limit'
          ? "We've reached the end of our time. "
          : move.reason === 'questions_done'
            ? 'That was my last question. '
            : '';
      return [
        `${why}Thank you for your time today. The team will review the interview and be in touch about next steps. Goodbye!`,
        'closing',
      ];
    }
    const lastAnswer = history.filter((turn) => turn.speaker === 'candidate').at(-1)?.text ?? '';
    if (move.mayFollowUp && wordCount(lastAnswer) < thinAnswerWords) {
      return [
        'Could you tell me more about that? A concrete example from your own experience would help.',
        'follow_up',
      ];
    }
    if (move.next) return [`Thank you. ${move.next.text}`, 'question'];
    return [
      'Thank you, that was my last question. Thank you for your time today. The team will review the interview and be in touch about next steps. Goodbye!',
      'closing',
    ];
  }
}
