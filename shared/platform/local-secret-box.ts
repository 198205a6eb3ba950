import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SecretBox } from './secret-box.ts';

/**
 * AES-256-GCM with a key derived from a configured master secret; the context is the GCM
 * additional data. Format: `local:v1:<base64 iv>:<base64 ciphertext>:<base64 tag>`.
 */
export function createLocalSecretBox(masterSecret: string): SecretBox {
  if (masterSecret.length < 16) throw new Error('the local secret key must be at least 16 characters');
  const key = createHash('sha256').update(`tend-secret-box:${masterSecret}`).digest();
  return {
    async seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'local',
        'v1',
        iv.toString('base64'),
        body.toString('base64'),
        cipher.getAuthTag().toString('base64'),
      ].join(':');
    },
    async open(sealed, context) {
      const [scheme, version, iv, body, tag] = sealed.split(':');
      if (scheme !== 'local' || version !== 'v1' || !iv || body === undefined || !tag) {
        throw new Error('not a locally sealed secret');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
