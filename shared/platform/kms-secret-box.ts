import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SecretBox } from './secret-box.ts';

/**
 * KMS Encrypt/Decrypt with the context as KMS encryption context (so CloudTrail shows which
 * record a decrypt was for). Opened values are cached briefly: a webhook burst costs one
 * Decrypt, not one per request. Format: `kms:v1:<base64 ciphertext blob>`.
 */
export function createKmsSecretBox(kms: KMSClient, keyId: string, cacheMs = 5 * 60_000): SecretBox {
  const cache = new Map<string, { value: Promise<string>; until: number }>();
  return {
    async seal(plaintext, context) {
      const out = await kms.send(
        new EncryptCommand({
          KeyId: keyId,
          Plaintext: Buffer.from(plaintext, 'utf8'),
          EncryptionContext: { tend: context },
        }),
      );
      if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
      return `kms:v1:${Buffer.from(out.CiphertextBlob).toString('base64')}`;
    },
    async open(sealed, context) {
      const cacheKey = `${context}\n${sealed}`;
      const hit = cache.get(cacheKey);
      if (hit && hit.until > Date.now()) return hit.value;
      const [scheme, version, blob] = sealed.split(':');
      if (scheme !== 'kms' || version !== 'v1' || !blob) throw new Error('not a KMS-sealed secret');
      const value = kms
        .send(
          new DecryptCommand({
            KeyId: keyId,
            CiphertextBlob: Buffer.from(blob, 'base64'),
            EncryptionContext: { tend: context },
          }),
        )
        .then((out) => {
          if (!out.Plaintext) throw new Error('KMS returned no plaintext');
          return Buffer.from(out.Plaintext).toString('utf8');
        });
      value.catch(() => cache.delete(cacheKey));
      cache.set(cacheKey, { value, until: Date.now() + cacheMs });
      return value;
    },
  };
}
