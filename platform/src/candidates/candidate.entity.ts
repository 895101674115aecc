import { defineEntity, p } from '@mikro-orm/core';

export interface StoredResume {
  blobKey: string;
  filename: string;
  contentType: string;
  size: number;
}

const CandidateSchema = defineEntity({
  name: 'Candidate',
  tableName: 'candidates',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    name: p.text().nullable(),
    email: p.text().nullable(),
    externalId: p.text().nullable(),
    metadata: p.json<Record<string, string>>(),
    resume: p.json<StoredResume>().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    /** Set when the candidate is erased: personal fields are cleared and the row stays as a tombstone. */
    deletedAt: p.datetime().nullable(),
    /** When an erased candidate's files were deleted; null on a tombstone means the deletion is still owed. */
    blobsErasedAt: p.datetime().nullable(),
  },
});

export class Candidate extends CandidateSchema.class {}
CandidateSchema.setClass(Candidate);

export { CandidateSchema };
