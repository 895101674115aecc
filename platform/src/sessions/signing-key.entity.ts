import { defineEntity, p } from '@mikro-orm/core';
import type { JWK } from 'jose';

/**
 * A key pair that signs session tokens. Rows are shared by every instance behind a load balancer, so a
 * token minted on one verifies on any other; the private half never leaves the database and this process.
 */
const SigningKeySchema = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    /** `sig_...`, the JWT header's `kid`. */
    kid: p.string().primary(),
    /** The JWS `alg` the key signs with (`EdDSA`). */
    algorithm: p.string(),
    publicJwk: p.json<JWK>(),
    privateJwk: p.json<JWK>(),
    createdAt: p.datetime(),
    /**
     * Null while the key signs new tokens. Rotation sets it in the future, when the last token the key
     * could have signed has expired; until then the key still verifies.
     */
    retiredAt: p.datetime().nullable(),
  },
});

export class SigningKey extends SigningKeySchema.class {}
SigningKeySchema.setClass(SigningKey);

export { SigningKeySchema };
