import { defineEntity, p } from '@mikro-orm/core';

export interface Question {
  id: string;
  text: string;
  guidance: string | null;
}

export interface RubricDimension {
  key: string;
  name: string;
  description: string;
  weight: number;
  levels?: Partial<Record<'1' | '2' | '3' | '4' | '5', string>>;
}

export interface JobSettings {
  max_duration_seconds: number;
  max_follow_ups: number;
  interviewer_name: string;
  voice: string;
}

const JobSchema = defineEntity({
  name: 'Job',
  tableName: 'jobs',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    title: p.text(),
    description: p.text(),
    language: p.string(),
    questions: p.json<Question[]>(),
    rubric: p.json<{ dimensions: RubricDimension[] }>(),
    settings: p.json<JobSettings>(),
    externalId: p.text().nullable(),
    metadata: p.json<Record<string, string>>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    deletedAt: p.datetime().nullable(),
  },
});

export class Job extends JobSchema.class {}
JobSchema.setClass(Job);

export { JobSchema };
