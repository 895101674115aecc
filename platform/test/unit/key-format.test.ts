import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, parseSecret } from '../../src/api-keys/key-format.ts';
import { covers, grants } from '../../src/api-keys/scopes.ts';

describe('secret key format', () => {
  it('carries its mode and a checksum that catches any single changed character', () => {
    const { secret, lookup, hash } = generateSecret(false);
    expect(secret).toMatch(/^sk_test_[0-9A-Za-z]{38}$/);
    expect(parseSecret(secret)).toEqual({ livemode: false, lookup });
    expect(hash).toBe(hashSecret(secret));
    for (let i = 8; i < secret.length; i += 1) {
      const changed = secret.slice(0, i) + (secret[i] === 'a' ? 'b' : 'a') + secret.slice(i + 1);
      expect(parseSecret(changed), changed).toBeNull();
    }
  });

  it('marks live keys as live, and refuses the test prefix grafted onto a live body', () => {
    const { secret } = generateSecret(true);
    expect(parseSecret(secret)?.livemode).toBe(true);
    expect(parseSecret(secret.replace('sk_live_', 'sk_test_'))).toBeNull();
  });
});

describe('scopes', () => {
  it('lets write imply read, and wildcards cover all resources', () => {
    expect(grants(['jobs:write'], 'jobs:read')).toBe(true);
    expect(grants(['jobs:read'], 'jobs:write')).toBe(false);
    expect(grants(['*:read'], 'interviews:read')).toBe(true);
    expect(grants(['*:read'], 'interviews:write')).toBe(false);
    expect(grants(['*'], 'api_keys:write')).toBe(true);
  });

  it('never lets a key hand out more than it holds', () => {
    expect(covers(['*'], ['*'])).toBe(true);
    expect(covers(['*:read'], ['jobs:read', 'candidates:read'])).toBe(true);
    expect(covers(['*:read'], ['jobs:write'])).toBe(false);
    expect(covers(['jobs:write'], ['*:read'])).toBe(false);
    expect(covers(['jobs:write'], ['*'])).toBe(false);
  });
});
