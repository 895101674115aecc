import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * A response that carries a credential shown once (a new API key's secret, a session token) is kept for its
 * replay sealed with a key derived from the caller's own API key: the platform stores only a hash of that
 * key, so a database dump holds the replay but not what opens it. AES-256-GCM, a fresh IV per record, the
 * idempotency key bound in as the HKDF info so a sealed body cannot be moved to another record.
 */
const prefix = 'sealed:v1:';

function keyFor(callerSecret: string, idempotencyKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', callerSecret, 'viva-idempotent-replay', idempotencyKey, 32));
}

export function sealReplay(body: string, callerSecret: string, idempotencyKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(callerSecret, idempotencyKey), iv);
  const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${prefix}${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

/** The body `sealReplay` sealed, or null if this caller's key does not open it. */
export function openReplay(stored: string, callerSecret: string, idempotencyKey: string): string | null {
  if (!stored.startsWith(prefix)) return null;
  const [iv, sealed] = stored.slice(prefix.length).split('.');
  if (!iv || !sealed) return null;
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 16) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyFor(callerSecret, idempotencyKey),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}
