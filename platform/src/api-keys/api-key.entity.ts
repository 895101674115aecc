import { defineEntity, p } from '@mikro-orm/core';

const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: p.string().primary(),
    tenantId: p.string(),
    livemode: p.boolean(),
    name: p.text(),
    scopes: p.json<string[]>(),
    /** A few characters of the secret's random part: finds the row without an index on the hash. */
    lookup: p.string().index(),
    /** SHA-256 of the whole secret, hex: the only form of the secret that is kept. */
    secretHash: p.string(),
    /** First and last characters, so a person can tell keys apart; never enough to use. */
    redacted: p.string(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});

export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);

export { ApiKeySchema };
