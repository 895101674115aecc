import { defineEntity, p } from '@mikro-orm/core';

export interface TurnAudio {
  blobKey: string;
  contentType: string;
  size: number;
  durationMs: number | null;
}

export type Speaker = 'interviewer' | 'candidate';
/** What a turn was: the interviewer's intro, question, follow-up or closing, or the candidate's answer. */
export type TurnKind = 'intro' | 'question' | 'follow_up' | 'closing' | 'answer';

const TurnSchema = defineEntity({
  name: 'Turn',
  tableName: 'interview_turns',
  properties: {
    id: p.string().primary(),
    interviewId: p.string(),
    tenantId: p.string(),
    livemode: p.boolean(),
    /** Position in the conversation, unique per interview: a retried write cannot add a turn twice. */
    seq: p.integer(),
    speaker: p.string().$type<Speaker>(),
    kind: p.string().$type<TurnKind>(),
    questionIndex: p.integer().nullable(),
    text: p.text(),
    audio: p.json<TurnAudio>().nullable(),
    /** For an interviewer turn the candidate spoke over: how far into its audio they did (the first report). */
    interruptedAtMs: p.integer().nullable(),
    startedAt: p.datetime(),
    endedAt: p.datetime(),
    createdAt: p.datetime(),
  },
});

export class Turn extends TurnSchema.class {}
TurnSchema.setClass(Turn);

export { TurnSchema };
